import Foundation
import GRDB
import WaymarkCore

/// A row of `membership`: a user's role in one tenant.
struct MembershipRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "membership"
    static let keyColumns = ["tenant_id", "user_id"]

    var tenantID: Int64
    var userID: Int64
    var role: MemberRole
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", userID = "user_id", role, createdAt = "created_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let userID = Column(CodingKeys.userID)
        static let role = Column(CodingKeys.role)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    var rowID: String { "tenant_id=\(tenantID), user_id=\(userID)" }
}
