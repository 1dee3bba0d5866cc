import HTTPTypes
import Hummingbird
import WaymarkCore

/// What every request meets before the router: a tenant's own host name is turned into its
/// slug (`CustomDomains`), and the tracking page and the static files are answered at once.
///
/// Nearly every request a busy server sees is a shopper opening a tracking link (or a chat app
/// previewing one), and the stylesheet that page links. The router finds those routes by walking
/// past every platform route's literal segment, and copies the route's pattern into a new string;
/// that was about 6 % of a cached page's time in a profile. Here `/{tenant}/t/{token}` and
/// `/static/**` are recognised by their segments and answered by the same handlers through the
/// same middleware, with the same route pattern (and parameters, which the static handler does
/// not read); everything else, HEAD included, goes to the router.
public struct SiteResponder: HTTPResponder {
    public typealias Context = WaymarkRequestContext
    /// Nil: every request is routed as it came (tests of the routes alone).
    let customDomains: CustomDomains?
    let router: RouterResponder<Context>
    /// The tracking page's handler behind the router's middleware.
    let trackingPage: any HTTPResponder<Context>
    /// The static files' handler behind the router's middleware.
    let staticFile: any HTTPResponder<Context>

    static let trackingPagePattern = SiteRoute.trackingPage.template
    static let staticFilePattern = "/" + SiteRoute.staticFiles.template(relativeTo: .root)

    public func respond(to request: Request, context: Context) async throws -> Response {
        if let customDomains, let host = CustomDomains.candidateHost(of: request, baseHost: customDomains.baseHost),
           let rewritten = try await customDomains.rewritten(request, host: host) {
            var context = context
            context.onCustomDomain = true
            return try await route(rewritten, context: context)
        }
        return try await route(request, context: context)
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        guard request.method == .get else { return try await router.respond(to: request, context: context) }
        let path = request.uri.path
        if let (tenant, token) = Self.trackingPageParameters(path) {
            var context = context
            context.coreContext.parameters = Parameters([("tenant", tenant), ("token", token)])
            context.coreContext.endpointPath.value = Self.trackingPagePattern
            return try await trackingPage.respond(to: request, context: context)
        }
        if Self.isStaticFile(path) {
            context.coreContext.endpointPath.value = Self.staticFilePattern
            return try await staticFile.respond(to: request, context: context)
        }
        return try await router.respond(to: request, context: context)
    }

    /// Whether the router would give `path` to the static files: `/static/` and more.
    static func isStaticFile(_ path: String) -> Bool {
        path.utf8.count > StaticAssetsController.prefix.utf8.count && path.utf8.starts(with: StaticAssetsController.prefix.utf8)
    }

    /// The `{tenant}` and `{token}` of a path the router would give the tracking page:
    /// `/A/t/B` with neither empty, neither holding a `/`, and `A` no platform segment (for
    /// which the router looks only among that segment's own routes).
    static func trackingPageParameters(_ path: String) -> (tenant: Substring, token: Substring)? {
        // On the UTF-8 bytes: splitting a String compares Characters, which cost more than the
        // router's walk this replaces.
        let bytes = path.utf8, slash = UInt8(ascii: "/")
        guard bytes.first == slash else { return nil }
        let tenantStart = bytes.index(after: bytes.startIndex)
        guard let tenantEnd = bytes[tenantStart...].firstIndex(of: slash), tenantEnd > tenantStart else { return nil }
        let literal = bytes.index(after: tenantEnd)
        guard literal < bytes.endIndex, bytes[literal] == UInt8(ascii: "t") else { return nil }
        let literalEnd = bytes.index(after: literal)
        guard literalEnd < bytes.endIndex, bytes[literalEnd] == slash else { return nil }
        let tokenStart = bytes.index(after: literalEnd)
        guard tokenStart < bytes.endIndex, !bytes[tokenStart...].contains(slash) else { return nil }
        let tenant = path[tenantStart..<tenantEnd]
        guard !platformSegments.contains(String(tenant)) else { return nil }
        return (tenant, path[tokenStart...])
    }
}
