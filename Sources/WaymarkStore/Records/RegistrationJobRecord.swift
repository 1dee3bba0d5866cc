import Foundation
import GRDB

/// A row of `registration_job`: a tracking number waiting to be registered at one provider.
/// Jobs are queued by an `INSERT … SELECT` over the tenant's accounts and moved on by guarded
/// UPDATEs (a lease is the claim's token); this record reads them when they are claimed.
struct RegistrationJobRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "registration_job"

    /// Where a job is in its life.
    enum State: String, Codable {
        /// Due at `nextAttemptAt` (or leased until then).
        case pending
        case done
        /// Given up: a permanent failure, or the last attempt failed.
        case failed
    }

    var id: Int64
    var tenantID: Int64
    var shipmentID: String
    var provider: String
    var state: State
    /// Attempts already made.
    var attempts: Int
    var nextAttemptAt: Date
    var lastError: String?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", shipmentID = "shipment_id", provider, state, attempts, nextAttemptAt = "next_attempt_at"
        case lastError = "last_error", createdAt = "created_at", updatedAt = "updated_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let shipmentID = Column(CodingKeys.shipmentID)
        static let provider = Column(CodingKeys.provider)
        static let state = Column(CodingKeys.state)
        static let attempts = Column(CodingKeys.attempts)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let lastError = Column(CodingKeys.lastError)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }
}
