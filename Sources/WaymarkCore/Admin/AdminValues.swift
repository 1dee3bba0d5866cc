import Foundation

/// A signed-in person, in the tenant the session currently works in.
public struct AdminSession: Sendable, Equatable {
    /// The row's id: shown in the list of sessions, never a secret.
    public var id: Int64
    public var userID: Int64
    public var email: String
    public var tenant: Tenant
    public var role: MemberRole
    /// Every state-changing form of this session carries it.
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date

    package init(id: Int64, userID: Int64, email: String, tenant: Tenant, role: MemberRole, csrfToken: String, createdAt: Date, lastSeenAt: Date) {
        self.id = id
        self.userID = userID
        self.email = email
        self.tenant = tenant
        self.role = role
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// How long an admin session lives: `idle` without a request, `absolute` in all.
public struct SessionLifetime: Sendable, Equatable {
    public var idle: TimeInterval
    public var absolute: TimeInterval

    public init(idle: TimeInterval = 2 * 3600, absolute: TimeInterval = 12 * 3600) {
        self.idle = idle
        self.absolute = absolute
    }

    /// A request less than this after the last one does not write `last_seen_at` again.
    public static let touchInterval: TimeInterval = 60
}

/// One of a user's sessions, as the sessions page lists it.
public struct SessionSummary: Sendable, Equatable {
    public var id: Int64
    public var address: String?
    public var userAgent: String?
    public var createdAt: Date
    public var lastSeenAt: Date

    package init(id: Int64, address: String?, userAgent: String?, createdAt: Date, lastSeenAt: Date) {
        self.id = id
        self.address = address
        self.userAgent = userAgent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A tenant a person belongs to, and as what.
public struct TenantMembership: Sendable, Equatable {
    public var tenant: Tenant
    public var role: MemberRole

    package init(tenant: Tenant, role: MemberRole) {
        self.tenant = tenant
        self.role = role
    }
}

/// A person on a tenant's team.
public struct TeamMember: Sendable, Equatable {
    public var userID: Int64
    public var email: String
    public var role: MemberRole
    public var joinedAt: Date

    package init(userID: Int64, email: String, role: MemberRole, joinedAt: Date) {
        self.userID = userID
        self.email = email
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An invitation to join a tenant's team, by a single-use emailed link.
public struct Invitation: Sendable, Equatable {
    public var id: Int64
    public var tenantID: Int64
    public var email: String
    public var role: MemberRole
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?

    package init(id: Int64, tenantID: Int64, email: String, role: MemberRole, createdAt: Date, expiresAt: Date, acceptedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.role = role
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }

    /// How long an invitation link works.
    public static let lifetime: TimeInterval = 7 * 86_400
}

/// An invitation as its link finds it: to which tenant, and whether the invited address has
/// an account already (then no password is asked for).
public struct PendingInvitation: Sendable, Equatable {
    public var invitation: Invitation
    public var tenant: Tenant
    public var hasAccount: Bool

    package init(invitation: Invitation, tenant: Tenant, hasAccount: Bool) {
        self.invitation = invitation
        self.tenant = tenant
        self.hasAccount = hasAccount
    }
}

/// Password reset links work this long, once.
public enum PasswordReset {
    public static let lifetime: TimeInterval = 30 * 60
}

/// What an API key may do.
public enum APIKeyScope: String, Sendable, Codable, CaseIterable {
    case readOnly = "read_only"
    case readWrite = "read_write"
}

/// An API key as the admin lists it: never its secret.
public struct APIKeySummary: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The first characters of the key, to tell keys apart.
    public var prefix: String
    public var scope: APIKeyScope
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    package init(id: Int64, name: String, prefix: String, scope: APIKeyScope, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.scope = scope
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// One line of a tenant's audit log: who (a person's email or an API key's name and prefix),
/// what, to which thing, from which address, when.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var actor: String
    public var action: String
    public var subject: String?
    public var address: String?
    public var createdAt: Date

    package init(id: Int64, actor: String, action: String, subject: String?, address: String?, createdAt: Date) {
        self.id = id
        self.actor = actor
        self.action = action
        self.subject = subject
        self.address = address
        self.createdAt = createdAt
    }

    /// Entries older than this are removed by the maintenance sweep.
    public static let retention: TimeInterval = 365 * 86_400
}

/// An audit entry to write.
public struct AuditEvent: Sendable, Equatable {
    public var tenantID: Int64
    public var actor: String
    public var action: String
    public var subject: String?
    public var address: String?

    public init(tenantID: Int64, actor: String, action: String, subject: String? = nil, address: String? = nil) {
        self.tenantID = tenantID
        self.actor = actor
        self.action = action
        self.subject = subject
        self.address = address
    }
}
