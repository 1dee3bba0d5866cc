import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders Mustache views into HTML responses. Templates are parsed once at start-up; a missing
/// template is a start-up error, not a 500 on the first request that needs it.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Every template the app renders; checked to exist when the renderer is made.
    static let requiredTemplates = ["shopper/tracking", "shopper/lookup", "shopper/not-found", "shopper/unsubscribe", "errors/error"]

    public struct MissingTemplate: Error, CustomStringConvertible {
        public let description: String
    }

    public init(viewsPath: String) async throws {
        library = try Self.loadLibrary(viewsPath)
        for name in Self.requiredTemplates where library.getTemplate(named: name) == nil {
            throw MissingTemplate(description: "template \(viewsPath)/\(name).mustache is missing")
        }
    }

    /// Registers every `.mustache` file under its path (`shopper/tracking`) and, for files in
    /// folders, also under a dotted name (`layouts.shopper`): swift-mustache cannot parse a `/`
    /// in the closing tag of `{{<parent}}…{{/parent}}`, so layouts are referenced with dots.
    static func loadLibrary(_ viewsPath: String) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let root = URL(fileURLWithPath: viewsPath).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw MissingTemplate(description: "views folder \(viewsPath) cannot be read")
        }
        for case let url as URL in walker where url.pathExtension == "mustache" {
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count + 1).dropLast(".mustache".count)
            let name = String(relative)
            let text = try String(contentsOf: url, encoding: .utf8)
            do {
                let template = try MustacheTemplate(string: text)
                library.register(template, named: name)
                if name.contains("/") { library.register(template, named: name.replacingOccurrences(of: "/", with: ".")) }
            } catch {
                throw MissingTemplate(description: "template \(url.path) does not parse: \(error)")
            }
        }
        return library
    }

    public func html(_ template: String, _ model: some Encodable) -> String {
        library.render(TemplateTree.make(model), withTemplate: template) ?? ""
    }

    /// Browsers keep a page but ask again (ETag) on every visit: a new status shows at once.
    static let revalidate = "private, no-cache"

    /// A complete HTML response with a strong ETag; answers 304 when the browser has it already.
    func response(
        _ template: String, _ model: some Encodable, status: HTTPResponse.Status = .ok, request: Request? = nil,
        cacheControl: String = PageRenderer.revalidate
    ) -> Response {
        Self.response(page(template, model), status: status, request: request, cacheControl: cacheControl)
    }

    /// A rendered HTML page with its ETag, to answer now or to keep.
    func page(_ template: String, _ model: some Encodable) -> RenderedPage {
        RenderedPage(body: ByteBuffer(string: html(template, model)), contentType: "text/html; charset=utf-8")
    }

    /// A response that carries an ETag of its bytes and honours `If-None-Match`.
    static func cachedResponse(
        body: ByteBuffer, contentType: String, status: HTTPResponse.Status, request: Request?, cacheControl: String
    ) -> Response {
        response(RenderedPage(body: body, contentType: contentType), status: status, request: request, cacheControl: cacheControl)
    }

    static func response(_ page: RenderedPage, status: HTTPResponse.Status = .ok, request: Request?, cacheControl: String) -> Response {
        var headers: HTTPFields = [.contentType: page.contentType, .eTag: page.etag, .cacheControl: cacheControl]
        if status == .ok, let request, let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == page.etag || $0 == "*" }) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(page.body.readableBytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: page.body))
    }
}

/// Response bytes with their type and a strong ETag (a hash of the bytes).
struct RenderedPage: Sendable {
    let body: ByteBuffer
    let contentType: String
    let etag: String

    init(body: ByteBuffer, contentType: String) {
        self.body = body
        self.contentType = contentType
        let digest = SHA256.hash(data: body.readableBytesView)
        etag = "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }
}
