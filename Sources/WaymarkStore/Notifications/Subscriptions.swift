import Foundation
import GRDB
import WaymarkCore

/// Shoppers' subscriptions: who hears about a shipment, and one-click ways out.
extension AppDatabase {
    /// Subscribes an address to a shipment's updates (again, if it had unsubscribed). The
    /// shipment must belong to the tenant. Returns false when it doesn't.
    @discardableResult
    public func subscribe(tenantID: Int64, shipmentID: String, channel: NotificationChannel, address: String, now: Date = Date()) async throws -> Bool {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM shipment WHERE tenant_id = ? AND id = ?", arguments: [tenantID, shipmentID]) ?? false else {
                return false
            }
            try Self.subscribe(db, shipmentID: shipmentID, channel: channel, address: address, now: now)
            return true
        }
    }

    /// The subscription a token in an unsubscribe link names, within the tenant.
    public func subscription(tenantID: Int64, unsubscribeToken token: String) async throws -> Subscription? {
        try await read { db in try Self.subscription(db, tenantID: tenantID, token: token) }
    }

    /// Unsubscribes the address behind a token from this shipment or, with `everything`, from all
    /// of the tenant's messages on that channel (it joins the suppression list). Idempotent: the
    /// same link clicked twice is fine. Nil when the tenant has no such token.
    public func unsubscribe(tenantID: Int64, token: String, everything: Bool, now: Date = Date()) async throws -> Subscription? {
        try await write { db in
            guard var subscription = try Self.subscription(db, tenantID: tenantID, token: token) else { return nil }
            try db.execute(sql: "UPDATE subscription SET unsubscribed_at = coalesce(unsubscribed_at, ?) WHERE unsubscribe_token = ?",
                           arguments: [now, token])
            subscription.unsubscribedAt = subscription.unsubscribedAt ?? now
            if everything {
                try Self.suppress(db, tenantID: tenantID, channel: subscription.channel, address: subscription.address,
                                  reason: "unsubscribed from all messages", now: now)
            }
            return subscription
        }
    }

    static func subscribe(_ db: Database, shipmentID: String, channel: NotificationChannel, address: String, now: Date) throws {
        try db.cachedStatement(sql: """
            INSERT INTO subscription (shipment_id, channel, address, created_at, unsubscribe_token) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (shipment_id, channel, address) DO UPDATE SET unsubscribed_at = NULL
            """).execute(arguments: [shipmentID, channel.rawValue, address, now, SecureToken.random(byteCount: 18)])
    }

    static func subscription(_ db: Database, tenantID: Int64, token: String) throws -> Subscription? {
        try SubscriptionRecord.fetchOne(db, sql: """
            SELECT s.* FROM subscription s JOIN shipment h ON h.id = s.shipment_id
            WHERE h.tenant_id = ? AND s.unsubscribe_token = ?
            """, arguments: [tenantID, token])?
            .subscription(tenantID: tenantID)
    }
}
