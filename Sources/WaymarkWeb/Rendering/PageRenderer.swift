import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders Mustache views into HTML responses. Templates are parsed once at start-up; a missing
/// template is a start-up error, not a 500 on the first request that needs it.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// Made into every kept page (see `SecurityHeaders.fields`).
    private(set) var securityHeaders: HTTPFields = [:]

    /// Every template the app renders; checked to exist when the renderer is made.
    static let requiredTemplates = ["shopper/tracking", "shopper/lookup", "shopper/not-found", "shopper/unsubscribe", "errors/error"]

    public struct MissingTemplate: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter assets: when given, the views' links to its files carry their versions.
    /// - Parameter securityHeaders: headers every shopper page carries, made into each kept page.
    public init(viewsPath: String, assets: StaticAssets? = nil, securityHeaders: HTTPFields = [:]) async throws {
        try self.init(viewsPath: viewsPath, requiring: Self.requiredTemplates, assets: assets)
        self.securityHeaders = securityHeaders
    }

    /// - Parameter required: the templates that must be there; a test passes fewer to get a
    ///   renderer that fails when a page is rendered instead of when it is made.
    init(viewsPath: String, requiring required: [String], assets: StaticAssets? = nil) throws {
        library = try Self.loadLibrary(viewsPath, requiring: required, rewrite: assets?.fingerprinted)
    }

    /// Registers every `.mustache` file under its path (`shopper/tracking`) and, for files in
    /// folders, also under a dotted name (`layouts.shopper`): swift-mustache cannot parse a `/`
    /// in the closing tag of `{{<parent}}…{{/parent}}`, so layouts are referenced with dots.
    ///
    /// Fails when one of `required` is missing, and when a template extends or includes one that
    /// is not there: swift-mustache would render such a page as nothing, without a word.
    static func loadLibrary(_ viewsPath: String, requiring required: [String], rewrite: ((String) -> String)? = nil) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        var includes: [(template: String, tag: MustacheTag)] = []
        let root = URL(fileURLWithPath: viewsPath).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw MissingTemplate(description: "views folder \(viewsPath) cannot be read")
        }
        for case let url as URL in walker where url.pathExtension == "mustache" {
            let relative = url.standardizedFileURL.path.dropFirst(root.path.count + 1).dropLast(".mustache".count)
            let name = String(relative)
            let read = try String(contentsOf: url, encoding: .utf8)
            let text = rewrite?(read) ?? read
            do {
                let template = try MustacheTemplate(string: text)
                library.register(template, named: name)
                if name.contains("/") { library.register(template, named: name.replacingOccurrences(of: "/", with: ".")) }
            } catch {
                throw MissingTemplate(description: "template \(url.path) does not parse: \(error)")
            }
            includes += MustacheTag.scan(text).filter { $0.includedTemplate != nil }.map { (name, $0) }
        }
        for name in required where library.getTemplate(named: name) == nil {
            throw MissingTemplate(description: "template \(viewsPath)/\(name).mustache is missing")
        }
        for (template, tag) in includes {
            guard let included = tag.includedTemplate, library.getTemplate(named: included) == nil else { continue }
            throw MissingTemplate(description: "template \(viewsPath)/\(template).mustache line \(tag.line) uses \(included), which is missing")
        }
        return library
    }

    /// The page `template` shows for `model`; throws rather than answer an empty page.
    public func html(_ template: String, _ model: some Encodable) throws(RenderError) -> String {
        try library.rendering(TemplateTree.make(model), template: template)
    }

    /// Browsers keep a page but ask again (ETag) on every visit: a new status shows at once.
    static let revalidate = "private, no-cache"

    /// A complete HTML response with a strong ETag; answers 304 when the browser has it already.
    func response(
        _ template: String, _ model: some Encodable, status: HTTPResponse.Status = .ok, request: Request? = nil,
        cacheControl: String = PageRenderer.revalidate
    ) throws(RenderError) -> Response {
        Self.response(try page(template, model), status: status, request: request, cacheControl: cacheControl)
    }

    /// A rendered HTML page with its ETag, to answer now or to keep.
    func page(_ template: String, _ model: some Encodable) throws(RenderError) -> RenderedPage {
        RenderedPage(body: ByteBuffer(string: try html(template, model)), contentType: "text/html; charset=utf-8", cacheControl: Self.revalidate)
    }

    /// A shopper page to keep and answer many times: made with the headers every shopper page
    /// carries, so that answering it from memory adds nothing to them. (Not for admin pages,
    /// whose policy differs.)
    func keptPage(_ template: String, _ model: some Encodable) throws(RenderError) -> RenderedPage {
        RenderedPage(
            body: ByteBuffer(string: try html(template, model)), contentType: "text/html; charset=utf-8", cacheControl: Self.revalidate,
            also: securityHeaders)
    }

    /// A response that carries an ETag of its bytes and honours `If-None-Match`.
    static func cachedResponse(
        body: ByteBuffer, contentType: String, status: HTTPResponse.Status, request: Request?, cacheControl: String
    ) -> Response {
        response(RenderedPage(body: body, contentType: contentType), status: status, request: request, cacheControl: cacheControl)
    }

    static func response(_ page: RenderedPage, status: HTTPResponse.Status = .ok, request: Request?, cacheControl: String) -> Response {
        if status == .ok, let request, let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == page.etag || $0 == "*" }) {
            return Response(status: .notModified, headers: [.eTag: page.etag, .cacheControl: cacheControl])
        }
        var headers = page.headers
        if page.cacheControl == nil {
            headers.append(HTTPField(name: .cacheControl, value: cacheControl))
        } else if page.cacheControl != cacheControl {
            headers[.cacheControl] = cacheControl
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: page.body))
    }
}

/// Response bytes with their type and a strong ETag (a hash of the bytes), and the headers that
/// say so, made once: a page or file kept in memory is answered without building them again
/// (with the Cache-Control it is usually answered with, when that is known).
struct RenderedPage: Sendable {
    let body: ByteBuffer
    let etag: String
    let cacheControl: String?
    /// Content-Type, ETag, Content-Length, and Cache-Control when given.
    let headers: HTTPFields

    init(body: ByteBuffer, contentType: String, cacheControl: String? = nil, also: HTTPFields = [:]) {
        self.body = body
        let digest = SHA256.hash(data: body.readableBytesView)
        etag = "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        self.cacheControl = cacheControl
        var headers: HTTPFields = [.contentType: contentType, .eTag: etag, .contentLength: String(body.readableBytes)]
        if let cacheControl { headers[.cacheControl] = cacheControl }
        headers.append(contentsOf: also)
        self.headers = headers
    }

    /// The same bytes, answered with another Cache-Control.
    func answered(with cacheControl: String) -> RenderedPage {
        RenderedPage(body: body, etag: etag, headers: headers, cacheControl: cacheControl)
    }

    private init(body: ByteBuffer, etag: String, headers: HTTPFields, cacheControl: String) {
        self.body = body
        self.etag = etag
        self.cacheControl = cacheControl
        var headers = headers
        headers[.cacheControl] = cacheControl
        self.headers = headers
    }
}
