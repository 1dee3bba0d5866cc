/// A tenant's URL name: lowercase `[a-z0-9-]{2,40}`, not starting or ending with a hyphen,
/// and not a word the platform's own URLs use.
public struct TenantSlug: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    /// Path words that belong to the platform, so a tenant named after them would shadow a route:
    /// the first segment of every platform route (`SiteRoute`), the words inside shopper paths,
    /// and names a shopper could take for the platform's own.
    public static let reserved: Set<String> = SiteRoute.platformSegments
        .filter { $0.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "-" } }
        .union([
            "assets", "public", "t", "lookup", "unsubscribe", "login", "logout", "signup", "account", "settings", "theme",
            "theme-css", "favicon", "robots", "sitemap", "well-known", "www", "mail", "status", "help", "support", "docs", "app",
            "waymark", "track", "tracking", "shipments", "webhooks", "openapi", "demo",
        ])

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case length(Int)
        case characters(String)
        case hyphenAtEdge(String)
        case reserved(String)

        public var description: String {
            switch self {
            case .length(let count):
                "slug must be 2 to 40 characters long (got \(count))"
            case .characters(let slug):
                "slug '\(slug)' may contain only lowercase letters a-z, digits and hyphens"
            case .hyphenAtEdge(let slug):
                "slug '\(slug)' may not start or end with a hyphen"
            case .reserved(let slug):
                "slug '\(slug)' is reserved for Waymark's own URLs; pick another"
            }
        }
    }

    public init(_ text: String) throws(Invalid) {
        guard (2...40).contains(text.count) else { throw .length(text.count) }
        guard text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
        else { throw .characters(text) }
        guard !text.hasPrefix("-"), !text.hasSuffix("-") else { throw .hyphenAtEdge(text) }
        guard !Self.reserved.contains(text) else { throw .reserved(text) }
        value = text
    }
}
