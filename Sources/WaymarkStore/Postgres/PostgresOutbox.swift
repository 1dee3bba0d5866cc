import Foundation
import PostgresNIO
import WaymarkCore

// Writing the outbox on PostgreSQL: the deliveries a change makes due, in the transaction of that
// change, as `Outbox.swift` does for SQLite. A transaction that wrote deliveries also sends
// `NOTIFY waymark_outbox`, which PostgreSQL delivers at its commit to every node listening
// (`listenToOtherNodes`), so the dispatchers of all nodes wake, not only this one's.

extension PostgresStore {
    /// The channel that tells every node deliveries were committed.
    static let outboxChannel = "waymark_outbox"

    /// Plans and stores the deliveries for a change to a shipment (`before` is nil for a new one)
    /// inside the caller's transaction. Returns how many were written.
    @discardableResult
    func enqueueNotifications(
        _ c: PostgresConnection, tenantID: Int64, before: Shipment?, after: Shipment, newCheckpoints: [String] = [], now: Date,
        batch: PostgresBatch = PostgresBatch()
    ) async throws -> Int {
        let triggers = NotificationDecision.triggers(before: before, after: after, newCheckpoints: newCheckpoints)
        return try await enqueue(c, tenantID: tenantID, shipment: after, triggers: triggers, now: now, batch: batch)
    }

    /// Stores the deliveries due for `triggers` under the tenant's rules and audience; the
    /// tenant's endpoints, rules and slug are read once per `batch`.
    func enqueue(
        _ c: PostgresConnection, tenantID: Int64, shipment: Shipment, triggers: [NotificationTrigger], now: Date,
        batch: PostgresBatch = PostgresBatch()
    ) async throws -> Int {
        guard !triggers.isEmpty else { return 0 }
        let endpoints = try await batch.once("endpoints \(tenantID)") { try await Self.enabledEndpoints(c, tenantID: tenantID) }
        guard !endpoints.isEmpty || triggers.contains(where: \.canNotifyShoppers) else { return 0 }
        let settings = try await batch.once("notification settings \(tenantID)") { try await Self.notificationSettings(c, tenantID: tenantID) }
        let shoppers = triggers.contains { !NotificationDecision.shopperChannels(for: $0, rules: settings.rules).isEmpty }
        var audience = try await shoppers ? Self.audience(c, tenantID: tenantID, shipmentID: shipment.id) : NotificationAudience()
        audience.endpoints = endpoints.map(\.subscription)
        let planned = NotificationDecision.plan(triggers, rules: settings.rules, audience: audience)
        guard !planned.isEmpty else { return 0 }
        guard let tenantSlug = try await batch.once("slug \(tenantID)", {
            try await c.run("SELECT slug FROM tenant WHERE id = \(tenantID)").value(String.self)
        }) else {
            throw StoreError.tenantNotFound("#\(tenantID)")
        }
        let tracked = TrackedShipment(shipment: shipment, checkpoints: try await Self.checkpoints(c, shipmentID: shipment.id))
        var payloads = WebhookPayloads(data: ShipmentResource(tracked, baseURL: links.baseURL, tenantSlug: tenantSlug), now: now)
        var written = 0
        for plan in planned {
            let (eventType, payload) = try payloads.body(for: plan.trigger)
            let endpointID = plan.channel == .webhook ? plan.recipient : nil
            let inserted = try await c.run("""
                INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
                    next_attempt_at, created_at, updated_at)
                VALUES (\(Delivery.newID()), \(tenantID), \(shipment.id), \(plan.channel.rawValue), \(plan.recipient), \(endpointID),
                    \(plan.trigger.key), \(eventType), \(payload), \(now), \(now), \(now))
                ON CONFLICT (shipment_id, channel, recipient, trigger_key) DO NOTHING
                RETURNING 1
                """).value(Int32.self)
            if inserted != nil { written += 1 }
        }
        if written > 0 { try await c.run(PostgresQuery(unsafeSQL: "NOTIFY \(Self.outboxChannel)")) }
        return written
    }

    /// The shoppers who may hear about a shipment: its subscribed addresses less the tenant's
    /// suppression list.
    static func audience(_ c: PostgresConnection, tenantID: Int64, shipmentID: String) async throws -> NotificationAudience {
        let subscriptions = try await c.run("""
            SELECT * FROM subscription s
            WHERE s.shipment_id = \(shipmentID) AND s.unsubscribed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM suppression p WHERE p.tenant_id = \(tenantID) AND p.channel = s.channel
                  AND lower(p.address) = lower(s.address))
            ORDER BY s.id
            """).records(SubscriptionRecord.self)
        return NotificationAudience(
            emails: subscriptions.filter { $0.channel == .email }.map(\.address),
            phones: subscriptions.filter { $0.channel == .sms }.map(\.address))
    }

    static func enabledEndpoints(_ c: PostgresConnection, tenantID: Int64) async throws -> [WebhookEndpoint] {
        try await c.run("SELECT * FROM webhook_endpoint WHERE tenant_id = \(tenantID) AND disabled_at IS NULL ORDER BY created_at")
            .records(WebhookEndpointRecord.self).map { try $0.endpoint() }
    }

    static func notificationSettings(_ c: PostgresConnection, tenantID: Int64) async throws -> NotificationSettings {
        guard let tenant = try await c.run("SELECT * FROM tenant WHERE id = \(tenantID)").record(TenantRecord.self) else {
            throw StoreError.tenantNotFound("#\(tenantID)")
        }
        return try tenant.notificationSettings()
    }

    /// A shipment's checkpoints in the order of `ShipmentStatusRule.timeline`.
    static func checkpoints(_ c: PostgresConnection, shipmentID: String) async throws -> [Checkpoint] {
        let records = try await c.run("SELECT * FROM checkpoint WHERE shipment_id = \(shipmentID) ORDER BY occurred_at DESC, id DESC")
            .records(CheckpointRecord.self)
        return ShipmentStatusRule.timeline(try records.map { try $0.checkpoint() }, event: \.event)
    }

    /// Queues a new shipment for registration at each provider account of its tenant with
    /// registration on (not at `skipProvider`, nor the merchant's own `waymark` feed).
    static func enqueueRegistrations(_ c: PostgresConnection, tenantID: Int64, shipmentID: String, skipProvider: String?, now: Date) async throws {
        try await c.run("""
            INSERT INTO registration_job (tenant_id, shipment_id, provider, next_attempt_at, created_at, updated_at)
            SELECT tenant_id, \(shipmentID), provider, \(now), \(now), \(now) FROM provider_account
            WHERE tenant_id = \(tenantID) AND register AND provider <> 'waymark' AND provider IS DISTINCT FROM \(skipProvider)
            """)
    }
}

/// What the writes of one transaction read once and share (the tenant's endpoints, rules, slug),
/// as `CommitBatch` is for SQLite's grouped commits.
final class PostgresBatch: @unchecked Sendable {
    // Used by one transaction's task at a time.
    private var memo: [String: Any] = [:]

    init() {}

    /// The shipments of the numbers an ingest batch locked up front, kept as the batch changes
    /// them (see `PostgresStore.lockShipments`); a number missing here was not looked up.
    var lockedShipments: [PostgresStore.ShipmentNumber: [Shipment]] = [:]

    /// The shipment an update names among those locked up front, chosen as `findShipment` does;
    /// `.some(nil)` when the number has none, nil when it was not looked up.
    func lockedShipment(tenantID: Int64, for update: TrackingUpdate) -> Shipment?? {
        guard let shipments = lockedShipments[.init(tenantID: tenantID, trackingNumber: update.trackingNumber)] else { return nil }
        let carrier = update.carrier ?? ""
        return .some(shipments.max { a, b in (a.carrier == carrier ? 1 : 0, a.createdAt) < (b.carrier == carrier ? 1 : 0, b.createdAt) })
    }

    /// Keeps a locked shipment's latest state, for the next update of the batch that names it.
    func remember(_ shipment: Shipment) {
        let key = PostgresStore.ShipmentNumber(tenantID: shipment.tenantID, trackingNumber: shipment.trackingNumber)
        guard var shipments = lockedShipments[key] else { return }
        shipments.removeAll { $0.id == shipment.id }
        shipments.append(shipment)
        lockedShipments[key] = shipments
    }

    func once<T>(_ key: String, _ read: () async throws -> T) async throws -> T {
        // Unwrap the lookup first: `nil as? T` succeeds when T is itself optional.
        if let stored = memo[key], let value = stored as? T { return value }
        let value = try await read()
        memo[key] = value
        return value
    }
}
