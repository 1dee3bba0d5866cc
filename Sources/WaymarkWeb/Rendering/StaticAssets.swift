import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The files under `Public/`, read once at start-up and served from memory at `/static/…`,
/// each with a strong ETag (its SHA-256) and a version for its links: the views' references to
/// `/static/css/shopper.css` become `/static/css/shopper.css?v=1a2b3c4d` when they are loaded,
/// and a request carrying the current version is cached for a year (`immutable`), since a
/// changed file gets a new link. A request without it (an old email, a bookmark) is cached
/// for an hour.
public struct StaticAssets: Sendable {
    /// A class: a lookup hands out the one object rather than copying its two pages' fields.
    final class Asset: Sendable {
        /// Answered to a link with the current version: cached for a year.
        let current: RenderedPage
        /// Answered to any other: cached for an hour.
        let unversioned: RenderedPage
        /// What links add as `?v=`: the start of the ETag.
        let version: Substring
        /// The query parameter naming the current version, `v=…`.
        let versionParameter: String

        static let currentCacheControl = "public, max-age=31536000, immutable"
        static let unversionedCacheControl = "public, max-age=3600"

        init(_ bytes: ByteBuffer, contentType: String, also headers: HTTPFields) {
            current = RenderedPage(body: bytes, contentType: contentType, cacheControl: Self.currentCacheControl, also: headers)
            unversioned = current.answered(with: Self.unversionedCacheControl)
            version = current.etag.dropFirst().prefix(8)
            versionParameter = "v=\(version)"
        }

        /// Whether the request target's query holds the current version among its
        /// `&`-separated parameters, read on the target's bytes: nothing is parsed or copied.
        func isCurrent(target: String) -> Bool {
            let bytes = target.utf8
            guard var start = bytes.firstIndex(of: UInt8(ascii: "?")).map(bytes.index(after:)) else { return false }
            while true {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.endIndex
                if bytes[start..<end].elementsEqual(versionParameter.utf8) { return true }
                guard end < bytes.endIndex else { return false }
                start = bytes.index(after: end)
            }
        }
    }

    let files: [String: Asset]

    /// Files larger than this are not served from memory: nothing under `Public/` is that big.
    static let maximumFileSize = 4 << 20

    /// - Parameter securityHeaders: headers every answer carries, made into each file's.
    public init(publicPath: String, securityHeaders: HTTPFields = [:]) throws {
        var files: [String: Asset] = [:]
        let root = URL(fileURLWithPath: publicPath).standardizedFileURL
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) {
            for case let url as URL in walker {
                let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
                guard values.isRegularFile == true, (values.fileSize ?? 0) <= Self.maximumFileSize else { continue }
                let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
                let bytes = try Data(contentsOf: url)
                files[relative] = Asset(ByteBuffer(bytes: bytes), contentType: Self.contentType(of: url.pathExtension), also: securityHeaders)
            }
        }
        self.files = files
    }

    /// `text` with every `/static/<file>"` naming a known file given its version.
    func fingerprinted(_ text: String) -> String {
        guard text.contains("/static/") else { return text }
        var result = text
        for (file, asset) in files {
            result = result.replacingOccurrences(of: "\"/static/\(file)\"", with: "\"/static/\(file)?v=\(asset.version)\"")
        }
        return result
    }

    /// The answer to `GET /static/<file>`; nil when there is no such file.
    func response(file: String, request: Request) -> Response? {
        guard let asset = files[file] else { return nil }
        // `?v=` with the file's version: immutable.
        let response = asset.isCurrent(target: request.uri.string)
            ? PageRenderer.response(asset.current, request: request, cacheControl: Asset.currentCacheControl)
            : PageRenderer.response(asset.unversioned, request: request, cacheControl: Asset.unversionedCacheControl)
        // HEAD says how long the file is without sending it (setting `body` would reset the length).
        return request.method == .head ? Response(status: response.status, headers: response.headers) : response
    }

    static func contentType(of fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "json": "application/json"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}

/// Serves `StaticAssets` at `GET /static/**` (HEAD too), a route declared like every other.
struct StaticAssetsController {
    let assets: StaticAssets
    static let prefix = SiteRoute.staticFiles.template + "/"

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.staticFiles, .get, use: file)
    }

    @Sendable func file(_ request: Request, context: WaymarkRequestContext) throws -> Response {
        let path = request.uri.path
        guard let response = assets.response(file: String(Substring(path.utf8.dropFirst(Self.prefix.utf8.count))), request: request) else {
            throw HTTPError(.notFound)
        }
        return response
    }
}
