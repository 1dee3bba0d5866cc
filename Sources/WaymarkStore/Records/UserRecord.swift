import Foundation
import GRDB

/// A row of `user`: someone who signs in to the admin, in one or more tenants.
struct UserRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "user"

    /// Nil until inserted.
    var id: Int64?
    var email: String
    /// bcrypt.
    var passwordHash: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, email, passwordHash = "password_hash", createdAt = "created_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let email = Column(CodingKeys.email)
        static let passwordHash = Column(CodingKeys.passwordHash)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    var rowID: String { id.map(String.init) ?? "(new)" }
}
