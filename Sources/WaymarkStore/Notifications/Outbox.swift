import Foundation
import GRDB
import WaymarkCore

/// Writing the outbox: the deliveries a change makes due, in the transaction of that change.
extension AppDatabase {
    /// Plans and stores the deliveries for a change to a shipment (`before` is nil for a new one),
    /// inside the caller's write transaction, so the change and its messages commit or roll back
    /// together. A delivery already in the outbox for the same shipment, channel, recipient and
    /// trigger is not written again. Returns how many were written.
    @discardableResult
    func enqueueNotifications(
        _ db: Database, tenantID: Int64, before: Shipment?, after: Shipment, newCheckpoints: [String] = [], now: Date,
        batch: CommitBatch = CommitBatch()
    ) throws -> Int {
        let triggers = NotificationDecision.triggers(before: before, after: after, newCheckpoints: newCheckpoints)
        return try enqueue(db, tenantID: tenantID, shipment: after, triggers: triggers, now: now, batch: batch)
    }

    /// Stores the deliveries due for `triggers` under the tenant's rules and audience. The
    /// tenant's endpoints, rules and slug are read once per `batch`.
    func enqueue(
        _ db: Database, tenantID: Int64, shipment: Shipment, triggers: [NotificationTrigger], now: Date, batch: CommitBatch = CommitBatch()
    ) throws -> Int {
        guard !triggers.isEmpty else { return 0 }
        // Every import row and most checkpoints raise triggers only webhooks hear about: with no
        // endpoint to tell, that is the end of it, before rules or subscriptions are read.
        let endpoints = try batch.once("endpoints \(tenantID)") { try enabledEndpoints(db, tenantID: tenantID) }
        guard !endpoints.isEmpty || triggers.contains(where: \.canNotifyShoppers) else { return 0 }
        let settings = try batch.once("notification settings \(tenantID)") { try notificationSettings(db, tenantID: tenantID) }
        let shoppers = triggers.contains { !NotificationDecision.shopperChannels(for: $0, rules: settings.rules).isEmpty }
        var audience = try shoppers ? audience(db, tenantID: tenantID, shipmentID: shipment.id) : NotificationAudience()
        audience.endpoints = endpoints.map(\.subscription)
        let planned = NotificationDecision.plan(triggers, rules: settings.rules, audience: audience)
        guard !planned.isEmpty else { return 0 }
        guard let tenantSlug = try batch.once("slug \(tenantID)", {
            try String.fetchOne(db.cachedStatement(sql: "SELECT slug FROM tenant WHERE id = ?"), arguments: [tenantID])
        }) else {
            throw StoreError.tenantNotFound("#\(tenantID)")
        }
        let tracked = TrackedShipment(shipment: shipment, checkpoints: try Self.checkpoints(db, shipmentID: shipment.id))
        var payloads = WebhookPayloads(data: ShipmentResource(tracked, baseURL: links.baseURL, tenantSlug: tenantSlug), now: now)
        var written = 0
        for plan in planned {
            let (eventType, payload) = try payloads.body(for: plan.trigger)
            try db.cachedStatement(sql: """
                INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
                    next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (shipment_id, channel, recipient, trigger_key) DO NOTHING
                """).execute(arguments: [
                    Delivery.newID(), tenantID, shipment.id, plan.channel.rawValue, plan.recipient,
                    plan.channel == .webhook ? plan.recipient : nil, plan.trigger.key, eventType, payload, now, now, now,
                ])
            written += db.changesCount
        }
        if written > 0 {
            db.afterNextTransaction(onCommit: { [outboxSignal] _ in outboxSignal.fire() })
        }
        return written
    }

    /// The shoppers who may hear about a shipment: its subscribed addresses less the tenant's
    /// suppression list.
    func audience(_ db: Database, tenantID: Int64, shipmentID: String) throws -> NotificationAudience {
        let subscriptions = try SubscriptionRecord.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM subscription s
            WHERE s.shipment_id = ? AND s.unsubscribed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM suppression p WHERE p.tenant_id = ? AND p.channel = s.channel AND p.address = s.address)
            ORDER BY s.id
            """), arguments: [shipmentID, tenantID])
        return NotificationAudience(
            emails: subscriptions.filter { $0.channel == .email }.map(\.address),
            phones: subscriptions.filter { $0.channel == .sms }.map(\.address))
    }

    func enabledEndpoints(_ db: Database, tenantID: Int64) throws -> [WebhookEndpoint] {
        try WebhookEndpointRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM webhook_endpoint WHERE tenant_id = ? AND disabled_at IS NULL ORDER BY created_at"), arguments: [tenantID]
        ).map { try $0.endpoint() }
    }

    /// Raises `shipment.stalled` for up to `limit` active shipments that have gone quiet for
    /// longer than their tenant allows, oldest spell first. A stall is keyed by the last
    /// checkpoint's time, so each quiet spell notifies once; the spell is marked decided even when
    /// nobody is there to tell, so the next sweep goes on to other shipments.
    public func enqueueStalledNotifications(now: Date = Date(), limit: Int = 1_000) async throws -> StalledSweep {
        try await write { db in
            let candidates = try ShipmentRecord.fetchAll(db, sql: Self.stallCandidatesSQL, arguments: [now, now, limit]).map { try $0.shipment() }
            var sweep = StalledSweep(decided: 0, written: 0, limit: limit)
            for shipment in candidates {
                let settings = try notificationSettings(db, tenantID: shipment.tenantID)
                guard let trigger = NotificationDecision.stalledTrigger(shipment, rules: settings.rules, now: now) else { continue }
                sweep.written += try enqueue(db, tenantID: shipment.tenantID, shipment: shipment, triggers: [trigger], now: now)
                try db.cachedStatement(sql: "UPDATE shipment SET stalled_checked_for = last_event_at WHERE id = ?")
                    .execute(arguments: [shipment.id])
                sweep.decided += 1
            }
            return sweep
        }
    }

    /// Active shipments quiet for longer than their tenant allows (arguments: now, now, limit),
    /// oldest spell first. The first bound (no tenant waits less than a day) and the terms that
    /// repeat its conditions word for word let SQLite read the partial index
    /// `shipment_stall_candidates` instead of the whole table.
    static let stallCandidatesSQL = """
        SELECT s.* FROM shipment s JOIN tenant t ON t.id = s.tenant_id
        WHERE s.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
          AND s.archived_at IS NULL AND s.stalled_checked_for IS NOT s.last_event_at
          AND s.last_event_at <= datetime(?, '-1 days')
          AND s.last_event_at <= datetime(?, '-' || t.stalled_after_days || ' days')
        ORDER BY s.last_event_at
        LIMIT ?
        """
}


/// The body of a change's webhook for each event type, encoded once however many deliveries
/// carry it (both stores write their outbox rows with it).
struct WebhookPayloads {
    let data: ShipmentResource
    let now: Date
    private var bodies: [String: String] = [:]

    init(data: ShipmentResource, now: Date) {
        self.data = data
        self.now = now
    }

    mutating func body(for trigger: NotificationTrigger) throws -> (eventType: String, payload: String) {
        let eventType = trigger.webhookEventType
        if let body = bodies[eventType] { return (eventType, body) }
        let body = try JSONText.encode(WebhookEventBody(type: eventType, timestamp: RFC3339.format(now), data: data))
        bodies[eventType] = body
        return (eventType, body)
    }
}
