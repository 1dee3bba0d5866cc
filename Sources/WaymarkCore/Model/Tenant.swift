import Foundation

/// A merchant using Waymark. Everything else (shipments, keys, users) belongs to exactly one.
public struct Tenant: Hashable, Sendable {
    public var id: Int64
    public var slug: String
    public var name: String
    public var branding: Branding
    /// BCP 47 language of the shopper pages when the shopper's browser asks for none we have.
    public var defaultLocale: String
    /// IANA time zone, for dates that have no place of their own (quiet hours, the demo).
    public var timeZone: String
    /// A host name serving this tenant's pages without the slug, once verified.
    public var customDomain: String?
    public var createdAt: Date
    /// Counts changes to the tenant's own page sections: part of what a cached page was built from.
    public var pagesVersion: Int64
    /// Whether the tracking page offers the shopper the "get updates" form.
    public var selfSubscription: Bool

    public init(
        id: Int64, slug: String, name: String, branding: Branding = Branding(), defaultLocale: String = "en",
        timeZone: String = "UTC", customDomain: String? = nil, createdAt: Date, pagesVersion: Int64 = 0,
        selfSubscription: Bool = true
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.branding = branding
        self.defaultLocale = defaultLocale
        self.timeZone = timeZone
        self.customDomain = customDomain
        self.createdAt = createdAt
        self.pagesVersion = pagesVersion
        self.selfSubscription = selfSubscription
    }
}

/// The roles a user can hold in a tenant. Each includes what the ones below it may do:
///
/// - `agent`: the support workspace (find shipments, reveal a shopper's contact, resend).
/// - `admin`: the dashboard, the tenant's configuration, API keys and audit log.
/// - `owner`: the team, and deleting the tenant's data.
public enum MemberRole: String, Codable, Sendable, CaseIterable, Comparable {
    case owner, admin, agent

    private var rank: Int {
        switch self {
        case .agent: 0
        case .admin: 1
        case .owner: 2
        }
    }

    public static func < (lhs: MemberRole, rhs: MemberRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may do what `needed` may.
    public func allows(_ needed: MemberRole) -> Bool { self >= needed }
}
