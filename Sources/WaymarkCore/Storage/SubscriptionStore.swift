import Foundation

/// A shopper's subscription to a shipment's updates, as the unsubscribe page finds it by token.
public struct Subscription: Sendable, Equatable {
    public var shipmentID: String
    public var tenantID: Int64
    public var channel: NotificationChannel
    public var address: String
    public var unsubscribeToken: String
    public var unsubscribedAt: Date?

    package init(shipmentID: String, tenantID: Int64, channel: NotificationChannel, address: String, unsubscribeToken: String, unsubscribedAt: Date? = nil) {
        self.shipmentID = shipmentID
        self.tenantID = tenantID
        self.channel = channel
        self.address = address
        self.unsubscribeToken = unsubscribeToken
        self.unsubscribedAt = unsubscribedAt
    }
}

/// The shoppers who hear about a shipment, their one-click unsubscribes, and the tenant's
/// suppression list (addresses that bounced, complained or answered STOP).
public protocol SubscriptionStore: Sendable {
    /// Subscribes an address to a shipment (again, if it had left; nothing changes if it is
    /// subscribed already); false when the shipment is not the tenant's.
    @discardableResult
    func subscribe(tenantID: Int64, shipmentID: String, channel: NotificationChannel, address: String, now: Date) async throws -> Bool
    func subscription(tenantID: Int64, unsubscribeToken token: String) async throws -> Subscription?
    /// Ends the subscription of `token` (or, with `everything`, every subscription of its address
    /// at this tenant); nil for an unknown token.
    func unsubscribe(tenantID: Int64, token: String, everything: Bool, now: Date) async throws -> Subscription?
    func subscriptions(tenantID: Int64, shipmentID: String) async throws -> [Subscription]

    func suppress(tenantID: Int64, channel: NotificationChannel, address: String, reason: String, now: Date) async throws
    @discardableResult
    func unsuppress(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool
    func isSuppressed(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool
}
