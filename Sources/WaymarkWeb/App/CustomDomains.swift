import HTTPTypes
import Hummingbird
import WaymarkCore

/// Serves a tenant on its own host name: a request for `track.acme.com/t/TOKEN` is answered as
/// `/acme/t/TOKEN`, so the router knows one set of routes and the shopper sees no slug
/// (`SiteResponder` asks before routing).
struct CustomDomains: Sendable {
    let database: any TenantStore
    let baseHost: String
    let hosts: TenantHosts

    /// Whether a path belongs to the platform (its first segment is a platform route's, see
    /// `SiteRoute`), whatever the host.
    static func isPlatformPath(_ path: String) -> Bool {
        guard let first = path.split(separator: "/", maxSplits: 1).first else { return false }
        return platformSegments.contains(String(first))
    }

    /// The request's host when it may be a tenant's own: not the base host, not an address, and
    /// not for a platform path. Nil (the usual case) costs no lookup.
    static func candidateHost(of request: Request, baseHost: String) -> String? {
        guard let host = host(of: request), host != baseHost, !isAddressLiteral(host), !isPlatformPath(request.uri.path) else { return nil }
        return host
    }

    /// The request as the router should see it if `host` is a tenant's: its path under the
    /// tenant's slug; nil when no tenant has that domain.
    func rewritten(_ request: Request, host: String) async throws -> Request? {
        guard let slug = try await hosts.value(for: host, generation: database.localSettingsCommits) else { return nil }
        var head = request.head
        let path = request.uri.path == "/" ? "" : request.uri.path
        head.path = "/\(slug)\(path)" + (request.uri.query.map { "?\($0)" } ?? "")
        return Request(head: head, body: request.body)
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

/// First path segments that are never a tenant's (`SiteRoute.platformSegments`), computed once.
let platformSegments = SiteRoute.platformSegments
