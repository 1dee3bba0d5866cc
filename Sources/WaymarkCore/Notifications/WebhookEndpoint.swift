import Foundation

/// A merchant's URL that receives signed webhooks for the event types it chose.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: String
    public var tenantID: Int64
    public var url: String
    public var eventTypes: [String]
    /// Empty: every status; otherwise `shipment.status_changed` only for these.
    public var statuses: [DeliveryStatus]
    public var description: String?
    /// The signing secret (`whsec_...`).
    public var secret: String
    /// After a rotation, the old secret also signs until `previousSecretExpiresAt`.
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    /// When deliveries started failing without a success since; five days of it disables.
    public var failingSince: Date?
    public var disabledAt: Date?
    public var disabledReason: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantID: Int64, url: String, eventTypes: [String], statuses: [DeliveryStatus] = [], description: String? = nil,
        secret: String, previousSecret: String? = nil, previousSecretExpiresAt: Date? = nil, failingSince: Date? = nil,
        disabledAt: Date? = nil, disabledReason: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.url = url
        self.eventTypes = eventTypes
        self.statuses = statuses
        self.description = description
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.failingSince = failingSince
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The secrets that sign a message sent at `now`: the current one, and the previous one
    /// while its grace period lasts.
    public func signingSecrets(at now: Date) -> [String] {
        guard let previousSecret, let expires = previousSecretExpiresAt, now < expires else { return [secret] }
        return [secret, previousSecret]
    }

    public var subscription: WebhookSubscription {
        WebhookSubscription(endpointID: id, eventTypes: Set(eventTypes), statuses: Set(statuses))
    }

    public static func newID() -> String { "ep_" + SecureToken.random(byteCount: 12) }

    /// How long the old secret keeps signing after a rotation.
    public static let rotationGracePeriod: TimeInterval = 24 * 3600
    /// An endpoint failing without a success for this long is disabled.
    public static let disableAfterFailingFor: TimeInterval = 5 * 86_400
}
