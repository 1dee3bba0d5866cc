import Foundation
import GRDB
import WaymarkCore

/// A row of `tenant_logo`: the uploaded logo of one tenant.
struct TenantLogoRecord: Codable, StoredRecord {
    static let databaseTableName = "tenant_logo"
    static let keyColumns = ["tenant_id"]

    var tenantID: Int64
    var file: String
    var contentType: String
    var bytes: Data
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", file, contentType = "content_type", bytes, updatedAt = "updated_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let file = Column(CodingKeys.file)
    }

    var rowID: String { "tenant_id=\(tenantID)" }

    var logo: StoredLogo { StoredLogo(file: file, contentType: contentType, bytes: Array(bytes)) }
}
