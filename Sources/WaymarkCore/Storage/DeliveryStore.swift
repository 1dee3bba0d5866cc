import Foundation

/// What one stalled sweep did.
public struct StalledSweep: Sendable, Equatable {
    /// Quiet spells decided (each leaves the candidates for good).
    public var decided: Int
    /// Deliveries written for them.
    public var written: Int
    let limit: Int

    /// Every candidate read was decided and the batch was full: more may be waiting.
    public var mayHaveMore: Bool { decided == limit }

    package init(decided: Int, written: Int, limit: Int) {
        self.decided = decided
        self.written = written
        self.limit = limit
    }
}

/// A delivery as the dispatcher claims it, with everything sending it needs.
public struct ClaimedDelivery: Sendable, Equatable {
    public var delivery: Delivery
    public var tenant: Tenant
    public var settings: NotificationSettings
    /// The endpoint of a webhook delivery.
    public var endpoint: WebhookEndpoint?
    /// The shipment as it is now (nil if deleted since), to tell whether a shopper message is stale.
    public var shipment: Shipment?
    /// The unsubscribe token of the shopper's subscription, for email and SMS.
    public var unsubscribeToken: String?
    /// The shopper unsubscribed or the address was suppressed after the message was planned:
    /// it must not be sent.
    public var recipientOptedOut: Bool

    public init(
        delivery: Delivery, tenant: Tenant, settings: NotificationSettings, endpoint: WebhookEndpoint? = nil, shipment: Shipment? = nil,
        unsubscribeToken: String? = nil, recipientOptedOut: Bool = false
    ) {
        self.delivery = delivery
        self.tenant = tenant
        self.settings = settings
        self.endpoint = endpoint
        self.shipment = shipment
        self.unsubscribeToken = unsubscribeToken
        self.recipientOptedOut = recipientOptedOut
    }
}

extension ClaimedDelivery {
    /// How long a claim keeps a delivery from other dispatchers by default: well past the longest
    /// send (webhook and SMTP time-outs are seconds).
    public static let lease: TimeInterval = 300
}

/// What became of a claimed delivery.
public enum DeliveryResolution: Sendable, Equatable {
    case delivered
    /// Failed; try again at this time.
    case retry(at: Date)
    /// Failed for good.
    case failed
}

/// What a failed webhook attempt means for its endpoint.
public enum EndpointVerdict: Sendable, Equatable {
    /// 2xx: the endpoint works again.
    case healthy
    /// A failure: counts toward the five days that disable it.
    case failing
    /// The receiver said the endpoint is gone (410) or otherwise must stop: disable it now.
    case disable(reason: String)
}

/// The outbox: every email, text and webhook a change made due, written in the transaction of
/// that change (which deliveries is `NotificationDecision`'s call, in Core), and the dispatcher's
/// side of it.
///
/// Several dispatchers (processes sharing the storage) may drain one outbox. A claimed delivery
/// is held under a lease: its owner (the node's id) and when the lease ends. No other dispatcher
/// takes it before then; after it (the owner died mid-send), the next claim takes it over.
public protocol DeliveryStore: Sendable {
    /// Rings after every commit that made deliveries due.
    var outboxSignal: OutboxSignal { get }
    /// The public addresses written into deliveries (tracking and unsubscribe links) when they are planned.
    var links: PublicLinks { get }

    /// Makes this owner's rows that were mid-send when it stopped due again at once (at least
    /// once: the receiver may have had them). Returns how many.
    @discardableResult
    func recoverInterruptedDeliveries(owner: String, now: Date) async throws -> Int
    /// Claims up to `limit` due deliveries for `lease` seconds, oldest first, skipping endpoints
    /// and tenants that already have as many in flight as they may.
    func claimDueDeliveries(
        owner: String, now: Date, lease: TimeInterval, limit: Int, busyEndpoints: Set<String>, busyTenants: Set<Int64>
    ) async throws -> [ClaimedDelivery]
    /// Logs one attempt and settles the delivery, its endpoint's health and the suppression list.
    func recordAttempt(_ attempt: DeliveryAttempt, resolution: DeliveryResolution, endpoint: EndpointVerdict?, suppress: String?) async throws
    /// Puts a claimed delivery back without an attempt: due again at `until`, or skipped for good with a reason.
    func setAside(deliveryID: String, until: Date?, skipReason: String?, now: Date) async throws
    /// Makes a delivery due again now (the merchant's "resend"); nil for an unknown one.
    func replayDelivery(tenantID: Int64, id: String, now: Date) async throws -> Delivery?
    /// Raises `shipment.stalled` for active shipments that have gone quiet for longer than their
    /// tenant allows, at most `limit` decisions per call.
    func enqueueStalledNotifications(now: Date, limit: Int) async throws -> StalledSweep

    /// The tenant's deliveries, newest first, optionally of one endpoint or shipment, before a delivery id.
    func deliveries(tenantID: Int64, endpointID: String?, shipmentID: String?, limit: Int, before: String?) async throws -> [Delivery]
    func delivery(tenantID: Int64, id: String) async throws -> Delivery?
    func deliveryAttempts(tenantID: Int64, deliveryID: String) async throws -> [DeliveryAttempt]
    func deliveryAttempts(tenantID: Int64, deliveryIDs: [String]) async throws -> [String: [DeliveryAttempt]]
    /// Deliveries waiting or in flight, by channel (for `/metrics`).
    func queueDepth() async throws -> [NotificationChannel: Int]
    /// When the next pending delivery is due; nil when none is.
    func nextDeliveryDue() async throws -> Date?
}

extension DeliveryStore {
    /// Puts a claimed delivery back without an attempt, due again at `until`.
    public func setAside(deliveryID: String, until: Date, now: Date) async throws {
        try await setAside(deliveryID: deliveryID, until: until, skipReason: nil, now: now)
    }

    /// Skips a claimed delivery for good, saying why.
    public func setAside(deliveryID: String, skipReason: String, now: Date) async throws {
        try await setAside(deliveryID: deliveryID, until: nil, skipReason: skipReason, now: now)
    }
}
