import Foundation
import GRDB
import WaymarkCore

/// A row of `admin_session`: a signed-in browser, found by the SHA-256 of its cookie's secret.
struct AdminSessionRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "admin_session"

    var id: Int64?
    var secretSHA256: String
    var userID: Int64
    var tenantID: Int64
    var csrfToken: String
    var address: String?
    var userAgent: String?
    var createdAt: Date
    var lastSeenAt: Date
    var endedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, secretSHA256 = "secret_sha256", userID = "user_id", tenantID = "tenant_id", csrfToken = "csrf_token", address
        case userAgent = "user_agent", createdAt = "created_at", lastSeenAt = "last_seen_at", endedAt = "ended_at"
    }

    var rowID: String { id.map(String.init) ?? "(new)" }

    var summary: SessionSummary {
        SessionSummary(id: id ?? 0, address: address, userAgent: userAgent, createdAt: createdAt, lastSeenAt: lastSeenAt)
    }
}

/// A row of `invitation`.
struct InvitationRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "invitation"

    var id: Int64?
    var secretSHA256: String
    var tenantID: Int64
    var email: String
    var role: MemberRole
    var invitedBy: Int64?
    var createdAt: Date
    var expiresAt: Date
    var acceptedAt: Date?
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, secretSHA256 = "secret_sha256", tenantID = "tenant_id", email, role, invitedBy = "invited_by", createdAt = "created_at"
        case expiresAt = "expires_at", acceptedAt = "accepted_at", revokedAt = "revoked_at"
    }

    var rowID: String { id.map(String.init) ?? "(new)" }

    var invitation: Invitation {
        Invitation(id: id ?? 0, tenantID: tenantID, email: email, role: role, createdAt: createdAt, expiresAt: expiresAt, acceptedAt: acceptedAt)
    }
}

/// A row of `audit_entry`.
struct AuditEntryRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "audit_entry"

    var id: Int64?
    var tenantID: Int64
    var actor: String
    var action: String
    var subject: String?
    var address: String?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", actor, action, subject, address, createdAt = "created_at"
    }

    var rowID: String { id.map(String.init) ?? "(new)" }

    var entry: AuditEntry {
        AuditEntry(id: id ?? 0, actor: actor, action: action, subject: subject, address: address, createdAt: createdAt)
    }
}
