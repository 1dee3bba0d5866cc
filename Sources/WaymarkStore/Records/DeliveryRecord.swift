import Foundation
import GRDB
import WaymarkCore

/// A row of `delivery`, the outbox: one message to one recipient for one trigger. Rows are
/// written by the outbox's own `INSERT … ON CONFLICT DO NOTHING` (a trigger never sends twice);
/// this record reads them back.
struct DeliveryRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "delivery"

    var id: String
    var tenantID: Int64
    var shipmentID: String?
    var channel: NotificationChannel
    var recipient: String
    /// The webhook endpoint, for webhook deliveries (then also the recipient).
    var endpointID: String?
    var triggerKey: String
    var eventType: String
    var payload: String
    var state: DeliveryState
    var attempts: Int
    var nextAttemptAt: Date
    var lastError: String?
    var createdAt: Date
    var updatedAt: Date
    var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", shipmentID = "shipment_id", channel, recipient, endpointID = "endpoint_id"
        case triggerKey = "trigger_key", eventType = "event_type", payload, state, attempts, nextAttemptAt = "next_attempt_at"
        case lastError = "last_error", createdAt = "created_at", updatedAt = "updated_at", deliveredAt = "delivered_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let shipmentID = Column(CodingKeys.shipmentID)
        static let channel = Column(CodingKeys.channel)
        static let recipient = Column(CodingKeys.recipient)
        static let endpointID = Column(CodingKeys.endpointID)
        static let triggerKey = Column(CodingKeys.triggerKey)
        static let eventType = Column(CodingKeys.eventType)
        static let payload = Column(CodingKeys.payload)
        static let state = Column(CodingKeys.state)
        static let attempts = Column(CodingKeys.attempts)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let lastError = Column(CodingKeys.lastError)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
        static let deliveredAt = Column(CodingKeys.deliveredAt)
    }

    /// The delivery this row holds.
    var delivery: Delivery {
        Delivery(
            id: id, tenantID: tenantID, shipmentID: shipmentID, channel: channel, recipient: recipient, triggerKey: triggerKey,
            eventType: eventType, payload: payload, state: state, attempts: attempts, nextAttemptAt: nextAttemptAt,
            lastError: lastError, createdAt: createdAt, updatedAt: updatedAt, deliveredAt: deliveredAt)
    }
}
