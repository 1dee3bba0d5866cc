import Foundation
import PostgresNIO
import WaymarkCore

// Shoppers' subscriptions, one-click unsubscribes and the tenant's suppression list on
// PostgreSQL: the same promises as `Subscriptions.swift`, `ShipmentSubscriptions.swift` and
// `Suppressions.swift` for SQLite. A suppressed address is compared case-insensitively
// (`lower(address)` on both sides; the unique index `suppression_address` is on it), as SQLite's
// `COLLATE NOCASE` column does.

extension PostgresStore: SubscriptionStore {
    /// Subscribes an address to a shipment's updates (again, if it had unsubscribed). The
    /// shipment must belong to the tenant; false when it doesn't. The shipment's row is held
    /// (`FOR KEY SHARE`) from the check to the insert, so another node deleting it meanwhile waits.
    @discardableResult
    public func subscribe(tenantID: Int64, shipmentID: String, channel: NotificationChannel, address: String, now: Date) async throws -> Bool {
        try await transaction { c in
            guard try await c.run("SELECT 1 FROM shipment WHERE tenant_id = \(tenantID) AND id = \(shipmentID) FOR KEY SHARE")
                .value(Int32.self) != nil
            else { return false }
            try await c.run("""
                INSERT INTO subscription (shipment_id, channel, address, created_at, unsubscribe_token)
                VALUES (\(shipmentID), \(channel.rawValue), \(address), \(now), \(SecureToken.random(byteCount: 18)))
                ON CONFLICT (shipment_id, channel, address) DO UPDATE SET unsubscribed_at = NULL
                """)
            return true
        }
    }

    /// The subscription a token in an unsubscribe link names, within the tenant.
    public func subscription(tenantID: Int64, unsubscribeToken token: String) async throws -> Subscription? {
        try await run { c in
            try await c.run("""
                SELECT s.* FROM subscription s JOIN shipment h ON h.id = s.shipment_id
                WHERE h.tenant_id = \(tenantID) AND s.unsubscribe_token = \(token)
                """).record(SubscriptionRecord.self)?.subscription(tenantID: tenantID)
        }
    }

    /// Unsubscribes the address behind a token from this shipment or, with `everything`, from all
    /// of the tenant's messages on that channel (it joins the suppression list). Idempotent: the
    /// first time is kept, and two clicks at once (on any nodes) both answer with it. Nil when
    /// the tenant has no such token.
    public func unsubscribe(tenantID: Int64, token: String, everything: Bool, now: Date) async throws -> Subscription? {
        try await transaction { c in
            guard let record = try await c.run("""
                UPDATE subscription s SET unsubscribed_at = coalesce(s.unsubscribed_at, \(now))
                FROM shipment h
                WHERE h.id = s.shipment_id AND h.tenant_id = \(tenantID) AND s.unsubscribe_token = \(token)
                RETURNING s.*
                """).record(SubscriptionRecord.self)
            else { return nil }
            let subscription = try record.subscription(tenantID: tenantID)
            if everything {
                try await Self.suppress(c, tenantID: tenantID, channel: subscription.channel, address: subscription.address,
                                        reason: "unsubscribed from all messages", now: now)
            }
            return subscription
        }
    }

    /// The shipment's subscriptions, unsubscribed ones included, oldest first; empty when the
    /// tenant has no such shipment.
    public func subscriptions(tenantID: Int64, shipmentID: String) async throws -> [Subscription] {
        try await run { c in
            try await c.run("""
                SELECT s.* FROM subscription s JOIN shipment h ON h.id = s.shipment_id
                WHERE h.tenant_id = \(tenantID) AND s.shipment_id = \(shipmentID) ORDER BY s.id
                """).records(SubscriptionRecord.self).map { try $0.subscription(tenantID: tenantID) }
        }
    }

    public func suppress(tenantID: Int64, channel: NotificationChannel, address: String, reason: String, now: Date) async throws {
        try await run { c in try await Self.suppress(c, tenantID: tenantID, channel: channel, address: address, reason: reason, now: now) }
    }

    /// Lifts a suppression (an SMS START, or an operator's decision). False when there was none.
    @discardableResult
    public func unsuppress(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool {
        try await run { c in
            try await c.run("""
                DELETE FROM suppression WHERE tenant_id = \(tenantID) AND channel = \(channel.rawValue) AND lower(address) = lower(\(address))
                RETURNING 1
                """).value(Int32.self) != nil
        }
    }

    public func isSuppressed(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool {
        try await run { c in
            try await c.run("""
                SELECT 1 FROM suppression WHERE tenant_id = \(tenantID) AND channel = \(channel.rawValue) AND lower(address) = lower(\(address))
                """).value(Int32.self) != nil
        }
    }

    /// Adds an address to the suppression list; one already there (in any case) keeps its reason.
    private static func suppress(
        _ c: PostgresConnection, tenantID: Int64, channel: NotificationChannel, address: String, reason: String, now: Date
    ) async throws {
        try await c.run("""
            INSERT INTO suppression (tenant_id, channel, address, reason, created_at)
            VALUES (\(tenantID), \(channel.rawValue), \(address), \(reason), \(now))
            ON CONFLICT (tenant_id, channel, lower(address)) DO NOTHING
            """)
    }
}
