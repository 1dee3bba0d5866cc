import Crypto
import Foundation
import PostgresNIO
import WaymarkCore

// Carrier updates on PostgreSQL: the same promises as `Ingest.swift` and `InboundEvents.swift`
// for SQLite, made safe for several nodes writing at once. SQLite has one writer; here each
// update locks its shipment's row (`FOR UPDATE`) before reading it, so two nodes applying events
// to one shipment take turns and the second sees the first's checkpoints. Transactions that
// lock shipments in opposite orders can deadlock; PostgreSQL ends one, which is then run again.
//
// Every ingest is its own transaction, committed before the provider gets its 2xx. PostgreSQL
// flushes the WAL of commits that arrive together in one write, so concurrent webhooks on the
// pool's connections share disk flushes without an app-level group commit.

extension PostgresStore: IngestStore {
    public func ingest(
        tenantID: Int64, provider: String, eventID: String?, body: [UInt8], updates: [TrackingUpdate], now: Date
    ) async throws -> InboundOutcome {
        let key = eventID.map { "id:\($0)" } ?? "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let outcome: InboundOutcome
        do {
            outcome = try await retryingConflicts {
                try await self.transaction { c in
                    // Applied first and stored last, with what came of it: a replay finds the
                    // key taken and the transaction, updates and all, is rolled back.
                    let results = try await self.apply(c, tenantID: tenantID, provider: provider, updates: updates, now: now)
                    let stored = try await c.run("""
                        INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at, processed_at, outcome)
                        VALUES (\(tenantID), \(provider), \(key), \(Data(body)), \(now), \(now), \(AppDatabase.summary(results)))
                        ON CONFLICT (tenant_id, provider, event_key) DO NOTHING RETURNING 1
                        """).value(Int32.self)
                    guard stored != nil else { throw AlreadyIngested() }
                    return InboundOutcome(duplicate: false, results: results)
                }
            }
        } catch is AlreadyIngested {
            return InboundOutcome(duplicate: true, results: [])
        }
        // After the commit and outside it: every webhook of a tenant writes this one row, and
        // holding its lock until each commit would make them all wait for each other. Written at
        // most once a second.
        try await run { c in
            try await c.run("""
                INSERT INTO provider_activity (tenant_id, provider, last_event_at) VALUES (\(tenantID), \(provider), \(now))
                ON CONFLICT (tenant_id, provider) DO NOTHING
                """)
            try await c.run("""
                UPDATE provider_activity SET last_event_at = \(now)
                WHERE tenant_id = \(tenantID) AND provider = \(provider)
                  AND (last_event_at IS NULL OR last_event_at < \(now.addingTimeInterval(-1)))
                """)
        }
        return outcome
    }

    /// Thrown inside an ingest's transaction to undo what a replayed event applied.
    private struct AlreadyIngested: Error {}

    public func reapply(tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date) async throws -> [InboundOutcome.Result] {
        try await retryingConflicts {
            try await self.transaction { c in try await self.apply(c, tenantID: tenantID, provider: provider, updates: updates, now: now) }
        }
    }

    public func inboundEvents(tenantID: Int64, since: Date, provider: String?, id: Int64?) async throws -> [InboundEvent] {
        try await run { c in
            try await c.run("""
                SELECT * FROM inbound_event
                WHERE tenant_id = \(tenantID) AND received_at >= \(since)
                  AND (\(provider)::text IS NULL OR provider = \(provider)) AND (\(id)::bigint IS NULL OR id = \(id))
                ORDER BY id
                """).records(InboundEventRecord.self).map(\.event)
        }
    }

    public func recordCheckpoints(
        tenantID: Int64, shipmentID: String, events: [CheckpointEvent], eta: Date??, now: Date
    ) async throws -> IngestOutcome {
        try await retryingConflicts {
            try await self.transaction { c in
                guard let shipment = try await c.run(
                    "SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND id = \(shipmentID) FOR UPDATE").record(ShipmentRecord.self)?.shipment()
                else {
                    throw StoreError.shipmentNotFound
                }
                return try await self.applyEvents(c, to: shipment, events: events, eta: eta, now: now, batch: PostgresBatch())
            }
        }
    }

    func apply(
        _ c: PostgresConnection, tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date
    ) async throws -> [InboundOutcome.Result] {
        let batch = PostgresBatch()
        let settings = try await Self.ingestSettings(c, tenantID: tenantID)
        var results: [InboundOutcome.Result] = []
        for update in updates {
            func skipped(_ reason: String) -> InboundOutcome.Result {
                .init(trackingNumber: update.trackingNumber, shipmentID: nil, created: false, inserted: 0, statusChanged: false, skipped: reason)
            }
            var created = false
            var shipment = try await Self.findShipment(c, tenantID: tenantID, update: update)
            if shipment == nil {
                guard settings.autoCreateShipments else {
                    results.append(skipped("unknown tracking number and auto-create is off"))
                    continue
                }
                let draft: NewShipment
                do { draft = try NewShipment(trackingNumber: update.trackingNumber, carrier: update.carrier).validated() } catch {
                    results.append(skipped("cannot create a shipment: \(error)"))
                    continue
                }
                do {
                    shipment = try await insertShipment(c, tenantID: tenantID, draft, now: now, skipProvider: provider, batch: batch)
                    created = true
                } catch StoreError.duplicateShipment {
                    // Another node created it since: it has committed (the insert waited for
                    // it), so it is there now.
                    shipment = try await Self.findShipment(c, tenantID: tenantID, update: update)
                }
            }
            guard let shipment else { throw StoreError.shipmentNotFound }
            let outcome = try await applyEvents(c, to: shipment, events: update.events, eta: update.eta.map { $0 }, now: now, batch: batch)
            results.append(.init(trackingNumber: update.trackingNumber, shipmentID: shipment.id, created: created,
                                 inserted: outcome.inserted, statusChanged: outcome.statusChanged, skipped: nil))
        }
        return results
    }

    /// Adds the events to a shipment whose row the transaction has locked, re-derives its status
    /// and writes the messages the change makes due (see `AppDatabase.applyEvents`).
    func applyEvents(
        _ c: PostgresConnection, to before: Shipment, events: [CheckpointEvent], eta: Date??, now: Date, batch: PostgresBatch
    ) async throws -> IngestOutcome {
        var shipment = before
        var added = 0
        var fingerprints: [String] = []
        for event in events {
            let fingerprint = event.fingerprint
            let inserted = try await c.run("""
                INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
                    city, region, country, source, raw_code, fingerprint, recorded_at)
                VALUES (\(shipment.id), \(event.occurredAt), \(event.utcOffsetSeconds), \(event.status.rawValue), \(event.substatus?.description),
                    \(event.message), \(event.location.city), \(event.location.region), \(event.location.country), \(event.source),
                    \(event.rawCode), \(fingerprint), \(now))
                ON CONFLICT (shipment_id, fingerprint) DO NOTHING RETURNING 1
                """).value(Int32.self)
            if inserted != nil {
                added += 1
                fingerprints.append(fingerprint)
            }
        }
        let etaChanged: Bool = if let eta { eta != shipment.eta } else { false }
        guard added > 0 || etaChanged else {
            return IngestOutcome(shipment: shipment, inserted: 0, previousStatus: before.status)
        }
        // The newest checkpoint by event time decides, whatever order they arrived in.
        let newest = try await c.run("""
            SELECT * FROM checkpoint WHERE shipment_id = \(shipment.id)
              AND occurred_at = (SELECT max(occurred_at) FROM checkpoint WHERE shipment_id = \(shipment.id))
            """).records(CheckpointRecord.self).map { try $0.checkpoint().event }
        shipment.settle(ShipmentStatusRule.resolve(newest), eta: eta, now: now)
        try await c.run("""
            UPDATE shipment SET status = \(shipment.status.rawValue), substatus = \(shipment.substatus?.description),
                last_event_at = \(shipment.lastEventAt), delivered_at = \(shipment.deliveredAt), eta = \(shipment.eta), updated_at = \(now)
            WHERE id = \(shipment.id)
            """)
        try await enqueueNotifications(
            c, tenantID: shipment.tenantID, before: before, after: shipment, newCheckpoints: fingerprints, now: now, batch: batch)
        return IngestOutcome(shipment: shipment, inserted: added, previousStatus: before.status)
    }

    /// The tenant's shipment for a number (same carrier first, else the newest), its row locked
    /// for this transaction.
    static func findShipment(_ c: PostgresConnection, tenantID: Int64, update: TrackingUpdate) async throws -> Shipment? {
        try await c.run("""
            SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND tracking_number = \(update.trackingNumber)
            ORDER BY (carrier = \(update.carrier ?? "")) DESC, created_at DESC LIMIT 1 FOR UPDATE
            """).record(ShipmentRecord.self)?.shipment()
    }

    /// Runs `work` again (up to 5 times in all) when PostgreSQL ended its transaction to break a
    /// deadlock or a serialization conflict with another node's.
    func retryingConflicts<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await work()
            } catch where attempt < 5 && Self.isConflict(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 * attempt))))
            }
        }
    }

    static func isConflict(_ error: any Error) -> Bool {
        let error = (error as? PostgresTransactionError)?.closureError ?? error
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state == PostgresError.Code.deadlockDetected.raw || state == PostgresError.Code.serializationFailure.raw
    }
}
