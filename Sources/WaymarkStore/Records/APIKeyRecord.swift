import Foundation
import GRDB

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

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", name, prefix, secretSHA256 = "secret_sha256", createdAt = "created_at", revokedAt = "revoked_at"
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
}
