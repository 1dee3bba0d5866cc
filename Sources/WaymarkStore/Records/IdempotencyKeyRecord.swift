import WaymarkCore
import Foundation
import GRDB

/// A row of `idempotency_key`: the first response to a client's `Idempotency-Key`, replayed for
/// the same key and body. Rows are written by `INSERT … ON CONFLICT DO NOTHING` (the first
/// response wins a race); this record reads them back.
struct IdempotencyKeyRecord: Codable, StoredRecord {
    static let databaseTableName = "idempotency_key"
    static let keyColumns = ["tenant_id", "key"]

    var tenantID: Int64
    var key: String
    var requestSHA256: String
    var responseStatus: Int
    var responseBody: Data
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", key, requestSHA256 = "request_sha256", responseStatus = "response_status"
        case responseBody = "response_body", createdAt = "created_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let key = Column(CodingKeys.key)
        static let requestSHA256 = Column(CodingKeys.requestSHA256)
        static let responseStatus = Column(CodingKeys.responseStatus)
        static let responseBody = Column(CodingKeys.responseBody)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    var rowID: String { "tenant_id=\(tenantID), key=\(key)" }

    /// The response this row holds.
    var response: StoredResponse {
        StoredResponse(requestSHA256: requestSHA256, status: responseStatus, body: [UInt8](responseBody))
    }
}
