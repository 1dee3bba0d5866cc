import Foundation
import PostgresNIO
import WaymarkCore

// The dispatcher's side of the outbox on PostgreSQL: the same promises as `DeliveryQueue.swift`,
// `DeliveryAttemptsLog.swift` and the stalled sweep of `Outbox.swift` for SQLite.
//
// Several nodes' dispatchers drain one outbox. SQLite's single writer makes its claim atomic;
// here a claim reads due rows with `FOR UPDATE SKIP LOCKED` in the transaction that leases them,
// so two nodes claiming at once take different rows (a row another node is claiming is passed
// over, and one it has just leased no longer matches when it is read again), and a row whose
// lease ran out (its node died mid-send) is taken over by the next claim.

extension PostgresStore: DeliveryStore {
    @discardableResult
    public func recoverInterruptedDeliveries(owner: String, now: Date) async throws -> Int {
        try await run { c in
            try await c.run("""
                UPDATE delivery SET state = 'pending', next_attempt_at = \(now), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
                WHERE state = 'sending' AND lease_owner = \(owner)
                RETURNING 1
                """).values(Int32.self).count
        }
    }

    public func claimDueDeliveries(
        owner: String, now: Date, lease: TimeInterval, limit: Int, busyEndpoints: Set<String>, busyTenants: Set<Int64>
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let endpoints = busyEndpoints.sorted()
        let tenants = busyTenants.sorted()
        return try await transaction { c in
            // First the rows whose sender's lease ran out, then pending ones, oldest due first.
            var due = try await c.run("""
                SELECT * FROM delivery WHERE state = 'sending' AND (lease_expires_at IS NULL OR lease_expires_at <= \(now))
                  AND (endpoint_id IS NULL OR endpoint_id <> ALL(\(endpoints))) AND tenant_id <> ALL(\(tenants))
                ORDER BY lease_expires_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """).records(DeliveryRecord.self)
            if due.count < limit {
                due += try await c.run("""
                    SELECT * FROM delivery WHERE state = 'pending' AND next_attempt_at <= \(now)
                      AND (endpoint_id IS NULL OR endpoint_id <> ALL(\(endpoints))) AND tenant_id <> ALL(\(tenants))
                    ORDER BY next_attempt_at, created_at LIMIT \(limit - due.count)
                    FOR UPDATE SKIP LOCKED
                    """).records(DeliveryRecord.self)
            }
            guard !due.isEmpty else { return [] }
            try await c.run("""
                UPDATE delivery SET state = 'sending', lease_owner = \(owner), lease_expires_at = \(now.addingTimeInterval(lease)), updated_at = \(now)
                WHERE id = ANY(\(due.map(\.id)))
                """)
            var tenants: [Int64: (Tenant, NotificationSettings)] = [:]
            var claimed: [ClaimedDelivery] = []
            for delivery in due.map(\.delivery) {
                var leased = delivery
                leased.state = .sending
                let (tenant, settings): (Tenant, NotificationSettings)
                if let loaded = tenants[delivery.tenantID] {
                    (tenant, settings) = loaded
                } else {
                    guard let record = try await c.run("SELECT * FROM tenant WHERE id = \(delivery.tenantID)").record(TenantRecord.self) else {
                        throw StoreError.tenantNotFound("#\(delivery.tenantID)")
                    }
                    (tenant, settings) = (try record.tenant(), try record.notificationSettings())
                    tenants[delivery.tenantID] = (tenant, settings)
                }
                let endpoint = delivery.channel == .webhook
                    ? try await c.run("SELECT * FROM webhook_endpoint WHERE id = \(delivery.recipient)").record(WebhookEndpointRecord.self)?.endpoint()
                    : nil
                var shipment: Shipment?
                if let shipmentID = delivery.shipmentID {
                    shipment = try await c.run("SELECT * FROM shipment WHERE id = \(shipmentID)").record(ShipmentRecord.self)?.shipment()
                }
                var token: String?
                var optedOut = false
                if delivery.channel != .webhook {
                    // The subscription is found by its exact address; the suppression list in any case.
                    let rows = try await c.run("""
                        SELECT unsubscribe_token, unsubscribed_at IS NOT NULL,
                            EXISTS (SELECT 1 FROM suppression WHERE tenant_id = \(delivery.tenantID) AND channel = \(delivery.channel.rawValue)
                                AND lower(address) = lower(\(delivery.recipient)))
                        FROM subscription WHERE shipment_id = \(delivery.shipmentID) AND channel = \(delivery.channel.rawValue)
                            AND address = \(delivery.recipient)
                        """)
                    var found = false
                    for try await (unsubscribeToken, unsubscribed, suppressed) in rows.decode((String?, Bool, Bool).self) {
                        found = true
                        token = unsubscribeToken
                        optedOut = unsubscribed || suppressed
                    }
                    if !found { optedOut = true }
                }
                claimed.append(ClaimedDelivery(
                    delivery: leased, tenant: tenant, settings: settings, endpoint: endpoint, shipment: shipment,
                    unsubscribeToken: token, recipientOptedOut: optedOut))
            }
            return claimed
        }
    }

    public func recordAttempt(_ attempt: DeliveryAttempt, resolution: DeliveryResolution, endpoint: EndpointVerdict?, suppress: String?) async throws {
        try await transaction { c in
            let now = attempt.attemptedAt
            try await c.run(try DeliveryAttemptRecord(attempt).postgresInsert())
            let (state, next): (DeliveryState, Date?) = switch resolution {
            case .delivered: (.delivered, nil)
            case .retry(let at): (.pending, at)
            case .failed: (.failed, nil)
            }
            let deliveredAt: Date? = state == .delivered ? now : nil
            guard let delivery = try await c.run("""
                UPDATE delivery SET state = \(state.rawValue), attempts = attempts + 1, next_attempt_at = coalesce(\(next), next_attempt_at),
                    last_error = \(attempt.error), delivered_at = coalesce(\(deliveredAt), delivered_at), updated_at = \(now),
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(attempt.deliveryID)
                RETURNING *
                """).record(DeliveryRecord.self)?.delivery
            else { return }
            if let suppress, delivery.channel != .webhook {
                try await c.run("""
                    INSERT INTO suppression (tenant_id, channel, address, reason, created_at)
                    VALUES (\(delivery.tenantID), \(delivery.channel.rawValue), \(delivery.recipient), \(suppress), \(now))
                    ON CONFLICT (tenant_id, channel, lower(address)) DO NOTHING
                    """)
            }
            guard delivery.channel == .webhook, let endpoint else { return }
            switch endpoint {
            case .healthy:
                try await c.run("UPDATE webhook_endpoint SET failing_since = NULL WHERE id = \(delivery.recipient) AND failing_since IS NOT NULL")
            case .failing:
                let since = try await c.run("""
                    UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, \(now)) WHERE id = \(delivery.recipient) RETURNING failing_since
                    """).value(Date.self)
                if let since, now.timeIntervalSince(since) >= WebhookEndpoint.disableAfterFailingFor {
                    try await Self.disableEndpoint(
                        c, id: delivery.recipient, reason: "every delivery failed for 5 days, the last with: \(attempt.error ?? "an error")", now: now)
                }
            case .disable(let reason):
                try await Self.disableEndpoint(c, id: delivery.recipient, reason: reason, now: now)
            }
        }
    }

    public func setAside(deliveryID: String, until: Date?, skipReason: String?, now: Date) async throws {
        try await run { c in
            if let skipReason {
                try await c.run("""
                    UPDATE delivery SET state = 'skipped', last_error = \(skipReason), updated_at = \(now), lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = \(deliveryID)
                    """)
            } else {
                try await c.run("""
                    UPDATE delivery SET state = 'pending', next_attempt_at = \(until ?? now), updated_at = \(now), lease_owner = NULL,
                        lease_expires_at = NULL
                    WHERE id = \(deliveryID)
                    """)
            }
        }
    }

    public func replayDelivery(tenantID: Int64, id: String, now: Date) async throws -> Delivery? {
        try await transaction { c in
            try await c.run("""
                UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = \(now), last_error = NULL, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(id) AND state <> 'sending'
                """)
            return try await c.run("SELECT * FROM delivery WHERE tenant_id = \(tenantID) AND id = \(id)").record(DeliveryRecord.self)?.delivery
        }
    }

    /// Active shipments quiet for longer than their tenant allows, oldest spell first, as
    /// SQLite's sweep finds them. Each is locked as it is read and one another node is sweeping
    /// or updating is passed over, so two nodes sweeping at once decide different shipments and
    /// a stall is decided on the shipment as it is now.
    public func enqueueStalledNotifications(now: Date, limit: Int) async throws -> StalledSweep {
        try await retryingConflicts {
            try await transaction { c in
                let candidates = try await c.run("""
                    SELECT s.* FROM shipment s JOIN tenant t ON t.id = s.tenant_id
                    WHERE s.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
                      AND s.archived_at IS NULL AND s.stalled_checked_for IS DISTINCT FROM s.last_event_at
                      AND s.last_event_at <= \(now)::timestamptz - interval '1 day'
                      AND s.last_event_at <= \(now)::timestamptz - make_interval(days => t.stalled_after_days)
                    ORDER BY s.last_event_at
                    LIMIT \(limit)
                    FOR UPDATE OF s SKIP LOCKED
                    """).records(ShipmentRecord.self).map { try $0.shipment() }
                var sweep = StalledSweep(decided: 0, written: 0, limit: limit)
                let batch = PostgresBatch()
                for shipment in candidates {
                    let settings = try await batch.once("notification settings \(shipment.tenantID)") {
                        try await Self.notificationSettings(c, tenantID: shipment.tenantID)
                    }
                    guard let trigger = NotificationDecision.stalledTrigger(shipment, rules: settings.rules, now: now) else { continue }
                    sweep.written += try await self.enqueue(c, tenantID: shipment.tenantID, shipment: shipment, triggers: [trigger], now: now, batch: batch)
                    try await c.run("UPDATE shipment SET stalled_checked_for = last_event_at WHERE id = \(shipment.id)")
                    sweep.decided += 1
                }
                return sweep
            }
        }
    }

    public func deliveries(tenantID: Int64, endpointID: String?, shipmentID: String?, limit: Int, before: String?) async throws -> [Delivery] {
        try await run { c in
            var cursor: DeliveryRecord?
            if let before {
                cursor = try await c.run("SELECT * FROM delivery WHERE tenant_id = \(tenantID) AND id = \(before)").record(DeliveryRecord.self)
            }
            // The cursor's time as the column stores it (milliseconds), not as it came back.
            return try await c.run("""
                SELECT * FROM delivery
                WHERE tenant_id = \(tenantID) AND (\(endpointID)::text IS NULL OR endpoint_id = \(endpointID))
                  AND (\(shipmentID)::text IS NULL OR shipment_id = \(shipmentID))
                  AND (\(cursor?.id)::text IS NULL OR (created_at, id) < (\(cursor?.createdAt)::timestamptz(3), \(cursor?.id)))
                ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """).records(DeliveryRecord.self).map(\.delivery)
        }
    }

    public func delivery(tenantID: Int64, id: String) async throws -> Delivery? {
        try await run { c in
            try await c.run("SELECT * FROM delivery WHERE tenant_id = \(tenantID) AND id = \(id)").record(DeliveryRecord.self)?.delivery
        }
    }

    public func deliveryAttempts(tenantID: Int64, deliveryID: String) async throws -> [DeliveryAttempt] {
        try await run { c in
            try await c.run("""
                SELECT a.* FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id
                WHERE d.tenant_id = \(tenantID) AND a.delivery_id = \(deliveryID) ORDER BY a.attempted_at, a.id
                """).records(DeliveryAttemptRecord.self).map(\.attempt)
        }
    }

    public func deliveryAttempts(tenantID: Int64, deliveryIDs: [String]) async throws -> [String: [DeliveryAttempt]] {
        guard !deliveryIDs.isEmpty else { return [:] }
        return try await run { c in
            let attempts = try await c.run("""
                SELECT a.* FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id
                WHERE d.tenant_id = \(tenantID) AND a.delivery_id = ANY(\(deliveryIDs))
                ORDER BY a.attempted_at, a.id
                """).records(DeliveryAttemptRecord.self).map(\.attempt)
            return Dictionary(grouping: attempts, by: \.deliveryID)
        }
    }

    public func queueDepth() async throws -> [NotificationChannel: Int] {
        try await run { c in
            var depth = Dictionary(uniqueKeysWithValues: NotificationChannel.allCases.map { ($0, 0) })
            let rows = try await c.run("SELECT channel, count(*) FROM delivery WHERE state IN ('pending', 'sending') GROUP BY channel")
            for try await (name, count) in rows.decode((String, Int64).self) {
                guard let channel = NotificationChannel(rawValue: name) else {
                    throw StoredValueError(table: DeliveryRecord.databaseTableName, column: "channel", rowID: "(any)", problem: "'\(name)' is not a channel")
                }
                depth[channel] = Int(count)
            }
            return depth
        }
    }

    public func nextDeliveryDue() async throws -> Date? {
        try await run { c in
            try await c.run("SELECT min(next_attempt_at) FROM delivery WHERE state = 'pending'").value(Date?.self) ?? nil
        }
    }

    private static func disableEndpoint(_ c: PostgresConnection, id: String, reason: String, now: Date) async throws {
        try await c.run("""
            UPDATE webhook_endpoint SET disabled_at = \(now), disabled_reason = \(reason), updated_at = \(now) WHERE id = \(id) AND disabled_at IS NULL
            """)
    }
}
