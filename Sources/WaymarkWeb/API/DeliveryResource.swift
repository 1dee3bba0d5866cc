import Foundation
import WaymarkCore

/// One outbox message as the API shows it, with its attempts log: what the merchant needs to
/// see why a webhook (or a shopper's email or text) did or didn't arrive.
struct DeliveryResource: Encodable, Sendable {
    let id: String
    let channel: String
    let endpoint_id: String?
    let event_type: String
    let shipment_id: String?
    let state: String
    let attempt_count: Int
    let next_attempt_at: String?
    let last_error: String?
    let created_at: String
    let delivered_at: String?
    let attempts: [Attempt]

    struct Attempt: Encodable, Sendable {
        let attempted_at: String
        let outcome: String
        let http_status: Int?
        let reply: String?
        let latency_ms: Int
        let error: String?

        init(_ attempt: DeliveryAttempt) {
            attempted_at = RFC3339.format(attempt.attemptedAt)
            outcome = attempt.outcome.rawValue
            http_status = attempt.httpStatus
            reply = attempt.reply
            latency_ms = attempt.latencyMilliseconds
            error = attempt.error
        }

        enum CodingKeys: String, CodingKey { case attempted_at, outcome, http_status, reply, latency_ms, error }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(attempted_at, forKey: .attempted_at)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(http_status, forKey: .http_status)
            try container.encode(reply, forKey: .reply)
            try container.encode(latency_ms, forKey: .latency_ms)
            try container.encode(error, forKey: .error)
        }
    }

    init(_ delivery: Delivery, attempts: [DeliveryAttempt]) {
        id = delivery.id
        channel = delivery.channel.rawValue
        endpoint_id = delivery.channel == .webhook ? delivery.recipient : nil
        event_type = delivery.eventType
        shipment_id = delivery.shipmentID
        state = delivery.state.rawValue
        attempt_count = delivery.attempts
        // A next attempt only means something while the message waits.
        next_attempt_at = delivery.state == .pending ? RFC3339.format(delivery.nextAttemptAt) : nil
        last_error = delivery.lastError
        created_at = RFC3339.format(delivery.createdAt)
        delivered_at = delivery.deliveredAt.map { RFC3339.format($0) }
        self.attempts = attempts.map(Attempt.init)
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, endpoint_id, event_type, shipment_id, state, attempt_count, next_attempt_at, last_error
        case created_at, delivered_at, attempts
    }

    // Absent values are written as null, so every delivery has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(channel, forKey: .channel)
        try container.encode(endpoint_id, forKey: .endpoint_id)
        try container.encode(event_type, forKey: .event_type)
        try container.encode(shipment_id, forKey: .shipment_id)
        try container.encode(state, forKey: .state)
        try container.encode(attempt_count, forKey: .attempt_count)
        try container.encode(next_attempt_at, forKey: .next_attempt_at)
        try container.encode(last_error, forKey: .last_error)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(delivered_at, forKey: .delivered_at)
        try container.encode(attempts, forKey: .attempts)
    }
}

/// A page of deliveries, newest first.
struct DeliveryList: Encodable, Sendable {
    let data: [DeliveryResource]
    let next_cursor: String?

    enum CodingKeys: String, CodingKey { case data, next_cursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(next_cursor, forKey: .next_cursor)
    }
}
