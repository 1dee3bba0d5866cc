import HTTPTypes
import Hummingbird
import WaymarkCore

/// Serves a tenant on its own host name: a request for `track.acme.com/t/TOKEN` is answered as
/// `/acme/t/TOKEN`, so the router knows one set of routes and the shopper sees no slug.
public struct CustomDomainResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == WaymarkRequestContext {
    let inner: Inner
    let database: any TenantStore
    let baseHost: String
    let hosts: TenantHosts

    /// Whether a path belongs to the platform (its first segment is a platform route's, see
    /// `SiteRoute`), whatever the host.
    static func isPlatformPath(_ path: String) -> Bool {
        guard let first = path.split(separator: "/", maxSplits: 1).first else { return false }
        return platformSegments.contains(String(first))
    }

    public func respond(to request: Request, context: WaymarkRequestContext) async throws -> Response {
        guard let host = Self.host(of: request), host != baseHost, !Self.isAddressLiteral(host),
              !Self.isPlatformPath(request.uri.path),
              let slug = try await hosts.value(
                  for: host, generation: database.localSettingsCommits, lookup: { try await database.tenant(customDomain: $0)?.slug })
        else {
            return try await inner.respond(to: request, context: context)
        }
        var head = request.head
        let path = request.uri.path == "/" ? "" : request.uri.path
        head.path = "/\(slug)\(path)" + (request.uri.query.map { "?\($0)" } ?? "")
        var context = context
        context.onCustomDomain = true
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }

    static func host(of request: Request) -> String? {
        guard let authority = request.head.authority else { return nil }
        // Strip a port; IPv6 literals keep their brackets and are not domains anyway.
        if authority.hasPrefix("[") { return authority.lowercased() }
        let host = authority.utf8.firstIndex(of: UInt8(ascii: ":")).map { authority[..<$0] } ?? authority[...]
        // Most hosts arrive as lower-case ASCII already: then nothing is converted.
        let needsLowering = host.utf8.contains { ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 >= 0x80 }
        return needsLowering ? host.lowercased() : String(host)
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("[") || host.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") }
    }
}

/// Computed once: `CustomDomainResponder` is generic and cannot hold it as a static.
let platformSegments = SiteRoute.platformSegments
