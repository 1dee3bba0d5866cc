import HTTPTypes
import Hummingbird
import WaymarkCore

extension SiteRoute {
    /// Where a router group is mounted, for registering routes on the group.
    enum Mount: String {
        case root = ""
        /// `/api/v1`: the group behind the API key middleware.
        case api = "api/v1"
        /// `/admin`: the group behind the admin middleware.
        case admin = "admin"
    }

    /// The template relative to `mount`, as the group registers it; static files are every path
    /// below theirs.
    func template(relativeTo mount: Mount) -> String {
        if self == .staticFiles { return rawValue + "/**" }
        guard mount != .root, rawValue.hasPrefix(mount.rawValue) else { return rawValue }
        return String(rawValue.dropFirst(mount.rawValue.count).drop { $0 == "/" })
    }
}

extension SiteRoute.Method {
    var http: HTTPRequest.Method {
        switch self {
        case .get: .get
        case .post: .post
        case .patch: .patch
        case .delete: .delete
        }
    }
}

extension RouterMethods {
    /// Registers `route` for `method` on this router, or on a group of it mounted at `mount`.
    @discardableResult
    func on(
        _ route: SiteRoute, _ method: SiteRoute.Method, mountedAt mount: SiteRoute.Mount = .root,
        use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        on(RouterPath(route.template(relativeTo: mount)), method: method.http, use: handler)
    }
}
