import Foundation

/// Where a message is in its life.
public enum DeliveryState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its next attempt (`nextAttemptAt`).
    case pending
    /// Claimed by a dispatcher that is sending it now.
    case sending
    case delivered
    /// Every attempt failed, or the failure was permanent.
    case failed
    /// Not sent on purpose: the recipient is unsubscribed or suppressed, the endpoint disabled,
    /// or the shipment moved on before a shopper message could go out.
    case skipped
}

/// One message in the outbox: a shopper email or text, or a merchant webhook. Its `id` is stable
/// across retries and is the `webhook-id` a receiver deduplicates on.
public struct Delivery: Sendable, Equatable {
    public var id: String
    public var tenantID: Int64
    public var shipmentID: String?
    public var channel: NotificationChannel
    /// An email address, a phone number, or the webhook endpoint's id.
    public var recipient: String
    public var triggerKey: String
    /// The Standard Webhooks event type (`shipment.status_changed`, ...).
    public var eventType: String
    /// For webhooks, the exact body to sign and send; for email and SMS, the shipment as it was
    /// when the change happened.
    public var payload: String
    public var state: DeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deliveredAt: Date?

    public init(
        id: String, tenantID: Int64, shipmentID: String?, channel: NotificationChannel, recipient: String, triggerKey: String,
        eventType: String, payload: String, state: DeliveryState = .pending, attempts: Int = 0, nextAttemptAt: Date,
        lastError: String? = nil, createdAt: Date, updatedAt: Date, deliveredAt: Date? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.shipmentID = shipmentID
        self.channel = channel
        self.recipient = recipient
        self.triggerKey = triggerKey
        self.eventType = eventType
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
    }

    public var trigger: NotificationTrigger? {
        NotificationTrigger(key: triggerKey.range(of: Self.resendMarker).map { String(triggerKey[..<$0.lowerBound]) } ?? triggerKey)
    }

    /// A resend (from the admin) is a new delivery of the same trigger: its key is the first's
    /// with this marker and a fresh suffix, so the outbox's once-only rule lets it in.
    static let resendMarker = "#resend-"

    /// The trigger key of a resend of this delivery.
    public func resendTriggerKey() -> String {
        let base = triggerKey.range(of: Self.resendMarker).map { String(triggerKey[..<$0.lowerBound]) } ?? triggerKey
        return base + Self.resendMarker + SecureToken.random(byteCount: 6)
    }

    public static func newID() -> String { "msg_" + SecureToken.random(byteCount: 15) }
}

/// What one attempt at a delivery came to.
public enum AttemptOutcome: String, Codable, Sendable {
    case delivered
    /// Failed, to be tried again.
    case retry
    /// Failed for good (permanent answer, or the last attempt).
    case failed
}

/// One try at sending a delivery, as the attempts log keeps it.
public struct DeliveryAttempt: Sendable, Equatable {
    public var deliveryID: String
    public var attemptedAt: Date
    public var outcome: AttemptOutcome
    /// The HTTP status for webhooks and SMS.
    public var httpStatus: Int?
    /// The SMTP server's reply line for email; the start of the receiver's answer for a webhook.
    public var reply: String?
    public var latencyMilliseconds: Int
    public var error: String?

    public init(deliveryID: String, attemptedAt: Date, outcome: AttemptOutcome, httpStatus: Int? = nil, reply: String? = nil,
                latencyMilliseconds: Int, error: String? = nil) {
        self.deliveryID = deliveryID
        self.attemptedAt = attemptedAt
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.reply = reply
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
    }
}
