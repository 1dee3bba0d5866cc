import WaymarkCore
import Foundation
import GRDB

/// A row of `provider_account`: a tenant's credentials and registration switch for one tracking
/// provider. Rows are written by an upsert that keeps what was not given; this record reads them.
struct ProviderAccountRecord: Codable, StoredRecord {
    static let databaseTableName = "provider_account"
    static let keyColumns = ["tenant_id", "provider"]

    var tenantID: Int64
    var provider: String
    var secret: String?
    var apiKey: String?
    var register: Bool
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", provider, secret, apiKey = "api_key", register, createdAt = "created_at", updatedAt = "updated_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let provider = Column(CodingKeys.provider)
        static let secret = Column(CodingKeys.secret)
        static let apiKey = Column(CodingKeys.apiKey)
        static let register = Column(CodingKeys.register)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    var rowID: String { "tenant_id=\(tenantID), provider=\(provider)" }

    /// The account this row holds.
    var account: ProviderAccount {
        ProviderAccount(provider: provider, secret: secret, apiKey: apiKey, register: register)
    }
}
