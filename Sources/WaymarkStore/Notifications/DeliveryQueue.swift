import Foundation
import GRDB
import WaymarkCore

/// The dispatcher's side of the outbox: claiming, the attempts log, retries, and the endpoint
/// and suppression bookkeeping that follows from answers.
///
/// Several dispatchers (processes sharing the database) may drain one outbox. A claimed delivery
/// is `sending` under a lease: its owner (the node's id) and when the lease ends. No other
/// dispatcher takes it before then; after it (the owner died mid-send), the next claim takes it
/// over. A restarted node takes back its own rows at once (`recoverInterruptedDeliveries`).
extension AppDatabase {
    /// Puts deliveries this node (`owner`) left mid-send when it last stopped back in the
    /// queue: they are sent again (at least once), under the same id. Other nodes' rows are left
    /// to their leases. Returns how many.
    @discardableResult
    public func recoverInterruptedDeliveries(owner: String, now: Date = Date()) async throws -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE delivery SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                WHERE state = 'sending' AND lease_owner = ?
                """, arguments: [now, now, owner])
            return db.changesCount
        }
    }

    /// Claims up to `limit` due deliveries for `owner` until `now + lease`: first those whose
    /// sender's lease ran out (a node that died mid-send), then pending ones, oldest due first.
    /// Endpoints and tenants the dispatcher reports as busy are left out, so one slow receiver
    /// never fills the claim with work that would only wait behind it.
    public func claimDueDeliveries(
        owner: String, now: Date = Date(), lease: TimeInterval = ClaimedDelivery.lease, limit: Int, busyEndpoints: Set<String> = [],
        busyTenants: Set<Int64> = []
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        return try await write { db in
            let busy: StatementArguments = [try JSONText.encode(busyEndpoints.sorted()), try JSONText.encode(busyTenants.sorted())]
            let filters = """
                AND (endpoint_id IS NULL OR endpoint_id NOT IN (SELECT value FROM json_each(?)))
                AND tenant_id NOT IN (SELECT value FROM json_each(?))
                """
            var due = try DeliveryRecord.fetchAll(db, sql: """
                SELECT * FROM delivery WHERE state = 'sending' AND (lease_expires_at IS NULL OR lease_expires_at <= ?) \(filters)
                ORDER BY lease_expires_at LIMIT ?
                """, arguments: [now] + busy + [limit])
            if due.count < limit {
                due += try DeliveryRecord.fetchAll(db, sql: """
                    SELECT * FROM delivery WHERE state = 'pending' AND next_attempt_at <= ? \(filters)
                    ORDER BY next_attempt_at, created_at LIMIT ?
                    """, arguments: [now] + busy + [limit - due.count])
            }
            var tenants: [Int64: (Tenant, NotificationSettings)] = [:]
            return try due.map(\.delivery).map { delivery in
                try db.execute(sql: """
                    UPDATE delivery SET state = 'sending', lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ?
                    """, arguments: [owner, now.addingTimeInterval(lease), now, delivery.id])
                var claimed = delivery
                claimed.state = .sending
                let (tenant, settings) = try tenants[delivery.tenantID] ?? {
                    let loaded = (try Self.fetchTenant(db, sql: "SELECT * FROM tenant WHERE id = ?", delivery.tenantID),
                                  try notificationSettings(db, tenantID: delivery.tenantID))
                    tenants[delivery.tenantID] = loaded
                    return loaded
                }()
                let endpoint = try delivery.channel == .webhook
                    ? WebhookEndpointRecord.fetchOne(db, sql: "SELECT * FROM webhook_endpoint WHERE id = ?", arguments: [delivery.recipient])?.endpoint()
                    : nil
                let shipment = try delivery.shipmentID.flatMap {
                    try ShipmentRecord.fetchOne(db, sql: "SELECT * FROM shipment WHERE id = ?", arguments: [$0])?.shipment()
                }
                var token: String?
                var optedOut = false
                if delivery.channel != .webhook {
                    let subscription = try Row.fetchOne(db, sql: """
                        SELECT id, unsubscribe_token, unsubscribed_at IS NOT NULL AS unsubscribed,
                            EXISTS (SELECT 1 FROM suppression WHERE tenant_id = ? AND channel = ? AND address = ?) AS suppressed
                        FROM subscription WHERE shipment_id = ? AND channel = ? AND address = ?
                        """, arguments: [delivery.tenantID, delivery.channel.rawValue, delivery.recipient,
                                         delivery.shipmentID, delivery.channel.rawValue, delivery.recipient])
                    if let subscription {
                        // Errors name the subscription by its id: the address is the shopper's.
                        let id: Int64 = try SubscriptionRecord.value(SubscriptionRecord.Columns.id, in: subscription, id: "?")
                        token = try SubscriptionRecord.value(SubscriptionRecord.Columns.unsubscribeToken, in: subscription, id: id)
                        optedOut = try subscription.decode(Bool.self, forColumn: "unsubscribed") || subscription.decode(Bool.self, forColumn: "suppressed")
                    } else {
                        optedOut = true
                    }
                }
                return ClaimedDelivery(delivery: claimed, tenant: tenant, settings: settings, endpoint: endpoint, shipment: shipment,
                                       unsubscribeToken: token, recipientOptedOut: optedOut)
            }
        }
    }

    /// Logs an attempt and moves the delivery on, in one transaction, with what the answer means
    /// for the webhook endpoint (`endpoint`) and, for a permanent email or SMS refusal, the
    /// address put on the tenant's suppression list (`suppress`).
    public func recordAttempt(
        _ attempt: DeliveryAttempt, resolution: DeliveryResolution, endpoint: EndpointVerdict? = nil, suppress: String? = nil
    ) async throws {
        try await write { db in
            let now = attempt.attemptedAt
            try DeliveryAttemptRecord(attempt).insert(db)
            let (state, next): (DeliveryState, Date?) = switch resolution {
            case .delivered: (.delivered, nil)
            case .retry(let at): (.pending, at)
            case .failed: (.failed, nil)
            }
            try db.execute(sql: """
                UPDATE delivery SET state = ?, attempts = attempts + 1, next_attempt_at = coalesce(?, next_attempt_at), last_error = ?,
                    delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END, updated_at = ?,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ?
                """, arguments: [state.rawValue, next, attempt.error, state.rawValue, now, now, attempt.deliveryID])
            guard let delivery = try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [attempt.deliveryID])?.delivery
            else { return }
            if let suppress, delivery.channel != .webhook {
                try Self.suppress(db, tenantID: delivery.tenantID, channel: delivery.channel, address: delivery.recipient, reason: suppress, now: now)
            }
            guard delivery.channel == .webhook, let endpoint else { return }
            switch endpoint {
            case .healthy:
                try db.execute(sql: "UPDATE webhook_endpoint SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
                               arguments: [delivery.recipient])
            case .failing:
                try db.execute(sql: "UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, ?) WHERE id = ?",
                               arguments: [now, delivery.recipient])
                let since = try Date.fetchOne(db, sql: "SELECT failing_since FROM webhook_endpoint WHERE id = ?", arguments: [delivery.recipient])
                if let since, now.timeIntervalSince(since) >= WebhookEndpoint.disableAfterFailingFor {
                    try disableEndpoint(db, id: delivery.recipient, reason: "every delivery failed for 5 days, the last with: \(attempt.error ?? "an error")", now: now)
                }
            case .disable(let reason):
                try disableEndpoint(db, id: delivery.recipient, reason: reason, now: now)
            }
        }
    }

    /// Sets a claimed delivery aside without an attempt: due again at `until` (an SMS waiting
    /// out quiet hours), or, with `skipReason`, not to be sent at all.
    public func setAside(deliveryID: String, until: Date? = nil, skipReason: String? = nil, now: Date = Date()) async throws {
        try await write { db in
            if let skipReason {
                try db.execute(sql: """
                    UPDATE delivery SET state = 'skipped', last_error = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """, arguments: [skipReason, now, deliveryID])
            } else {
                try db.execute(sql: """
                    UPDATE delivery SET state = 'pending', next_attempt_at = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """, arguments: [until ?? now, now, deliveryID])
            }
        }
    }

    /// Queues a delivery again under the same id, with a fresh retry schedule: for a message
    /// that failed, was skipped, or that the merchant wants once more. Nil when the tenant has
    /// no such delivery; a delivery being sent right now is left alone.
    public func replayDelivery(tenantID: Int64, id: String, now: Date = Date()) async throws -> Delivery? {
        try await write { db in
            try db.execute(sql: """
                UPDATE delivery SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?
                WHERE tenant_id = ? AND id = ? AND state <> 'sending'
                """, arguments: [now, now, tenantID, id])
            return try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM delivery WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])?.delivery
        }
    }

    /// A tenant's deliveries, newest first, optionally to one endpoint or of one shipment; `before`
    /// is the id of the last one of the previous page.
    public func deliveries(
        tenantID: Int64, endpointID: String? = nil, shipmentID: String? = nil, limit: Int = 50, before: String? = nil
    ) async throws -> [Delivery] {
        try await read { db in
            let cursor = try before.flatMap {
                try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM delivery WHERE tenant_id = ? AND id = ?", arguments: [tenantID, $0])
            }
            return try DeliveryRecord.fetchAll(db, sql: """
                SELECT * FROM delivery
                WHERE tenant_id = ? AND (? IS NULL OR endpoint_id = ?) AND (? IS NULL OR shipment_id = ?)
                  AND (? IS NULL OR (created_at, id) < (?, ?))
                ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [
                    tenantID, endpointID, endpointID, shipmentID, shipmentID,
                    cursor?.id, cursor?.createdAt, cursor?.id, limit,
                ]).map(\.delivery)
        }
    }

    public func delivery(tenantID: Int64, id: String) async throws -> Delivery? {
        try await read { db in
            try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM delivery WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])?.delivery
        }
    }

    /// The attempts log of one of the tenant's deliveries, oldest first.
    public func deliveryAttempts(tenantID: Int64, deliveryID: String) async throws -> [DeliveryAttempt] {
        try await read { db in
            try DeliveryAttemptRecord.fetchAll(db, sql: """
                SELECT a.* FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id
                WHERE d.tenant_id = ? AND a.delivery_id = ? ORDER BY a.attempted_at, a.id
                """, arguments: [tenantID, deliveryID]).map(\.attempt)
        }
    }

    /// Deliveries waiting (pending or being sent), per channel: the queue depth the metrics show.
    public func queueDepth() async throws -> [NotificationChannel: Int] {
        try await read { db in
            var depth = Dictionary(uniqueKeysWithValues: NotificationChannel.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT channel, count(*) AS n FROM delivery WHERE state IN ('pending', 'sending') GROUP BY channel") {
                let name = try row.decode(String.self, forColumn: "channel")
                guard let channel = NotificationChannel(rawValue: name) else {
                    throw StoredValueError(table: DeliveryRecord.databaseTableName, column: "channel", rowID: "(any)", problem: "'\(name)' is not a channel")
                }
                depth[channel] = try row.decode(Int.self, forColumn: "n")
            }
            return depth
        }
    }

    /// When the next pending delivery is due, so an idle dispatcher knows how long it may sleep.
    public func nextDeliveryDue() async throws -> Date? {
        try await read { db in try Date.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM delivery WHERE state = 'pending'") }
    }

    func disableEndpoint(_ db: Database, id: String, reason: String, now: Date) throws {
        try db.execute(sql: """
            UPDATE webhook_endpoint SET disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE id = ? AND disabled_at IS NULL
            """, arguments: [now, reason, now, id])
    }
}
