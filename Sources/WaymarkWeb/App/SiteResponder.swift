import HTTPTypes
import Hummingbird
import WaymarkCore

/// The router, with the tracking page answered before it.
///
/// Nearly every request a busy server sees is a shopper opening a tracking link (or a chat app
/// previewing one). The router finds that route by walking past every platform route's literal
/// segment and copying the route's pattern into a new string; that walk was about 6 % of a
/// cached page's time in a profile. Here `/{tenant}/t/{token}` is recognised by its three
/// segments and answered by the same handler through the same middleware, with the same
/// parameters and route pattern; everything else, HEAD included, goes to the router.
public struct SiteResponder: HTTPResponder {
    public typealias Context = WaymarkRequestContext
    let router: RouterResponder<Context>
    /// The tracking page's handler behind the router's middleware.
    let trackingPage: any HTTPResponder<Context>

    static let trackingPagePattern = SiteRoute.trackingPage.template

    public func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get, let (tenant, token) = Self.trackingPageParameters(request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        var context = context
        context.coreContext.parameters = Parameters([("tenant", tenant), ("token", token)])
        context.coreContext.endpointPath.value = Self.trackingPagePattern
        return try await trackingPage.respond(to: request, context: context)
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
