import Foundation
import GRDB
import WaymarkCore

/// A row of `api_key`: a tenant's API key, kept as its SHA-256 with a short clear prefix to tell
/// keys apart.
struct APIKeyRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "api_key"

    /// Nil until inserted.
    var id: Int64?
    var tenantID: Int64
    var name: String
    var prefix: String
    var secretSHA256: String
    var createdAt: Date
    var revokedAt: Date?
    var scope: APIKeyScope
    var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", name, prefix, secretSHA256 = "secret_sha256", createdAt = "created_at", revokedAt = "revoked_at"
        case scope, lastUsedAt = "last_used_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let name = Column(CodingKeys.name)
        static let prefix = Column(CodingKeys.prefix)
        static let secretSHA256 = Column(CodingKeys.secretSHA256)
        static let createdAt = Column(CodingKeys.createdAt)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }

    var rowID: String { id.map(String.init) ?? "(new)" }

    /// The id of a row read back from the table.
    func storedID() throws -> Int64 {
        guard let id else { throw unreadable(CodingKeys.id, "a stored key has no id") }
        return id
    }

    var summary: APIKeySummary {
        get throws {
            APIKeySummary(
                id: try storedID(), name: name, prefix: prefix, scope: scope, createdAt: createdAt, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
        }
    }
}

extension APIKeyRecord {
    /// A new key's row: its digest and clear prefix, never the key.
    init(tenantID: Int64, name: String, secret: String, scope: APIKeyScope, now: Date) {
        self.init(
            id: nil, tenantID: tenantID, name: name, prefix: APIKeySecret.prefix(of: secret), secretSHA256: APIKeySecret.digest(secret),
            createdAt: now, revokedAt: nil, scope: scope, lastUsedAt: nil)
    }
}
