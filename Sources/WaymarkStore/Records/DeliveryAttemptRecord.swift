import Foundation
import GRDB
import WaymarkCore

/// A row of `delivery_attempt`: one try at sending a delivery, for the attempts log.
struct DeliveryAttemptRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "delivery_attempt"

    /// Nil until inserted.
    var id: Int64?
    var deliveryID: String
    var attemptedAt: Date
    var outcome: AttemptOutcome
    var httpStatus: Int?
    var reply: String?
    var latencyMilliseconds: Int
    var error: String?

    enum CodingKeys: String, CodingKey {
        case id, deliveryID = "delivery_id", attemptedAt = "attempted_at", outcome, httpStatus = "http_status", reply
        case latencyMilliseconds = "latency_ms", error
    }

    var rowID: String { id.map(String.init) ?? "(new)" }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let deliveryID = Column(CodingKeys.deliveryID)
        static let attemptedAt = Column(CodingKeys.attemptedAt)
        static let outcome = Column(CodingKeys.outcome)
        static let httpStatus = Column(CodingKeys.httpStatus)
        static let reply = Column(CodingKeys.reply)
        static let latencyMilliseconds = Column(CodingKeys.latencyMilliseconds)
        static let error = Column(CodingKeys.error)
    }

    /// The row for a new attempt.
    init(_ attempt: DeliveryAttempt) {
        id = nil
        deliveryID = attempt.deliveryID
        attemptedAt = attempt.attemptedAt
        outcome = attempt.outcome
        httpStatus = attempt.httpStatus
        reply = attempt.reply
        latencyMilliseconds = attempt.latencyMilliseconds
        error = attempt.error
    }

    /// The attempt this row holds.
    var attempt: DeliveryAttempt {
        DeliveryAttempt(
            deliveryID: deliveryID, attemptedAt: attemptedAt, outcome: outcome, httpStatus: httpStatus, reply: reply,
            latencyMilliseconds: latencyMilliseconds, error: error)
    }
}
