import Crypto
import Foundation
import PostgresNIO
import WaymarkCore

// Carrier updates on PostgreSQL: the same promises as `Ingest.swift` and `InboundEvents.swift`
// for SQLite, made safe for several nodes writing at once. SQLite has one writer; here an update
// locks its shipment's row (`FOR UPDATE`) before reading it, so two nodes applying events to one
// shipment take turns and the second sees the first's checkpoints.
//
// Webhooks that arrive together share a transaction (`PostgresGroupCommit`), and every one is
// answered only after that commit. A batch first locks all the shipments it names in one order
// (`lockShipments`), the same in every batch on every node, so concurrent batches queue behind
// each other rather than deadlock (what still does, PostgreSQL ends, and it is run again). A
// failure inside a batch aborts the whole transaction (there is no per-statement undo without a
// savepoint, and a savepoint per event would cost the round trips the batch saves), so the batch
// is then written again one event per transaction, each getting its own answer.

extension PostgresStore: IngestStore {
    public func ingest(
        tenantID: Int64, provider: String, eventID: String?, body: [UInt8], updates: [TrackingUpdate], now: Date
    ) async throws -> InboundOutcome {
        let key = eventID.map { "id:\($0)" } ?? "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        let event = PendingEvent(tenantID: tenantID, provider: provider, key: key, body: body, updates: updates, now: now)
        let outcome = try await ingestCommits.write(event) { events in await self.commit(events) }
        try await noteProviderActivity(tenantID: tenantID, provider: provider, now: now)
        return outcome
    }

    /// A provider webhook waiting for its batch.
    struct PendingEvent: Sendable {
        let tenantID: Int64
        let provider: String
        /// The event's id at the provider, or its body's hash (see `ingest`).
        let key: String
        let body: [UInt8]
        let updates: [TrackingUpdate]
        let now: Date

        var identity: EventIdentity { EventIdentity(tenantID: tenantID, provider: provider, key: key) }
    }

    struct EventIdentity: Hashable {
        let tenantID: Int64
        let provider: String
        let key: String
    }

    /// A tenant's tracking number, as a batch looks its shipments up.
    struct ShipmentNumber: Hashable {
        let tenantID: Int64
        let trackingNumber: String
    }

    /// Writes `events` in one transaction; when that fails for something other than the server
    /// being unreachable, writes each in its own so that only the event at fault fails.
    private func commit(_ events: [PendingEvent]) async -> [Result<InboundOutcome, any Error>] {
        do {
            return try await retryingConflicts {
                try await self.transaction { c in try await self.store(c, events) }
            }.map { .success($0) }
        } catch is ReplayedMeanwhile where events.count == 1 {
            return [.success(InboundOutcome(duplicate: true, results: []))]
        } catch where events.count > 1 && !((error as? StoreError)?.isStorageFault ?? false) {
            var outcomes: [Result<InboundOutcome, any Error>] = []
            for event in events { outcomes += await commit([event]) }
            return outcomes
        } catch {
            return events.map { _ in .failure(error) }
        }
    }

    /// Applies and records `events` in the caller's transaction. An event already recorded (a
    /// provider's retry) is answered as a duplicate and changes nothing; one recorded by another
    /// transaction since it was looked for throws `ReplayedMeanwhile`, which rolls the batch back.
    ///
    /// The stored shipments named are locked first (`lockShipments`); then the updates are
    /// applied in the order of their numbers, whatever event each came in, so that shipments this
    /// batch creates are also locked in that order. Each event is recorded after its updates.
    private func store(_ c: PostgresConnection, _ events: [PendingEvent]) async throws -> [InboundOutcome] {
        var seen = events.count > 1 ? try await Self.recordedEvents(c, events) : []
        let fresh = events.indices.filter { seen.insert(events[$0].identity).inserted }
        var outcomes = Array(repeating: InboundOutcome(duplicate: true, results: []), count: events.count)
        guard !fresh.isEmpty else { return outcomes }
        let recorded = fresh.map { events[$0] }
        let batch = PostgresBatch()
        try await Self.lockShipments(c, of: recorded, into: batch)
        let updates = fresh.flatMap { index in events[index].updates.indices.map { (event: index, update: $0) } }
            .sorted { a, b in
                let (x, y) = (events[a.event], events[b.event])
                let (first, second) = (x.updates[a.update].trackingNumber, y.updates[b.update].trackingNumber)
                if x.tenantID != y.tenantID { return x.tenantID < y.tenantID }
                if first != second { return first.utf8.lexicographicallyPrecedes(second.utf8) }
                return (a.event, a.update) < (b.event, b.update)
            }
        var results = events.map { Array<InboundOutcome.Result?>(repeating: nil, count: $0.updates.count) }
        for (index, update) in updates {
            let event = events[index]
            results[index][update] = try await apply(
                c, tenantID: event.tenantID, provider: event.provider, updates: [event.updates[update]], now: event.now, batch: batch).first
        }
        let applied = results.map { $0.compactMap { $0 } }
        let stored = try await c.run("""
            INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at, processed_at, outcome)
            SELECT tenant_id, provider, event_key, body, received_at, received_at, outcome
            FROM unnest(\(recorded.map(\.tenantID))::bigint[], \(recorded.map(\.provider))::text[], \(recorded.map(\.key))::text[],
                \(recorded.map { ByteBuffer(bytes: $0.body) })::bytea[], \(recorded.map(\.now))::timestamptz[],
                \(fresh.map { AppDatabase.summary(applied[$0]) })::text[]) AS e(tenant_id, provider, event_key, body, received_at, outcome)
            ON CONFLICT (tenant_id, provider, event_key) DO NOTHING RETURNING 1
            """).collect().count
        guard stored == fresh.count else { throw ReplayedMeanwhile() }
        for index in fresh { outcomes[index] = InboundOutcome(duplicate: false, results: applied[index]) }
        return outcomes
    }

    /// Locks the stored shipments that `events` name, all at once and in the order (tenant,
    /// number, id) that every transaction on every node follows, so that transactions touching
    /// the same shipments queue behind each other instead of deadlocking (a deadlock costs a
    /// second: PostgreSQL looks for one only after `deadlock_timeout`). One shipment named has
    /// nothing to order, but is read here all the same, which spares `apply` its lookup.
    private static func lockShipments(_ c: PostgresConnection, of events: [PendingEvent], into batch: PostgresBatch) async throws {
        var named = Set<ShipmentNumber>()
        for event in events {
            for update in event.updates { named.insert(ShipmentNumber(tenantID: event.tenantID, trackingNumber: update.trackingNumber)) }
        }
        let rows = try await c.run("""
            SELECT s.* FROM unnest(\(named.map(\.tenantID))::bigint[], \(named.map(\.trackingNumber))::text[]) AS n(tenant_id, tracking_number)
            JOIN shipment s ON s.tenant_id = n.tenant_id AND s.tracking_number = n.tracking_number
            ORDER BY s.tenant_id, s.tracking_number, s.id FOR UPDATE OF s
            """).records(ShipmentRecord.self)
        batch.lockedShipments = Dictionary(uniqueKeysWithValues: named.map { ($0, []) })
        for row in rows { batch.remember(try row.shipment()) }
    }

    /// Which of `events` are recorded already: one query for a batch.
    private static func recordedEvents(_ c: PostgresConnection, _ events: [PendingEvent]) async throws -> Set<EventIdentity> {
        var recorded = Set<EventIdentity>()
        let rows = try await c.run("""
            SELECT tenant_id, provider, event_key FROM inbound_event
            WHERE (tenant_id, provider, event_key) IN (
                SELECT * FROM unnest(\(events.map(\.tenantID))::bigint[], \(events.map(\.provider))::text[], \(events.map(\.key))::text[]))
            """)
        for try await (tenantID, provider, key) in rows.decode((Int64, String, String).self) {
            recorded.insert(EventIdentity(tenantID: tenantID, provider: provider, key: key))
        }
        return recorded
    }

    /// An event was recorded by another transaction after this one looked: its updates, applied
    /// here too, must not commit.
    private struct ReplayedMeanwhile: Error {}

    /// Notes the provider's latest event for its status on the merchant's providers page, outside
    /// the ingest transactions: every webhook of a tenant would write this one row, and holding its
    /// lock until each commit would make them all wait for each other. Written at most once a
    /// second per node.
    private func noteProviderActivity(tenantID: Int64, provider: String, now: Date) async throws {
        let due = providerActivity.withLock { written in
            let key = "\(tenantID) \(provider)"
            guard written[key].map({ now.timeIntervalSince($0) >= 1 || now < $0 }) ?? true else { return false }
            written[key] = now
            return true
        }
        guard due else { return }
        try await run { c in
            try await c.run("""
                INSERT INTO provider_activity AS a (tenant_id, provider, last_event_at) VALUES (\(tenantID), \(provider), \(now))
                ON CONFLICT (tenant_id, provider) DO UPDATE SET last_event_at = excluded.last_event_at
                WHERE a.last_event_at IS NULL OR a.last_event_at < excluded.last_event_at
                """)
        }
    }

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
        _ c: PostgresConnection, tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date, batch: PostgresBatch = PostgresBatch()
    ) async throws -> [InboundOutcome.Result] {
        let settings = try await batch.once("ingest settings \(tenantID)") { try await Self.ingestSettings(c, tenantID: tenantID) }
        var results: [InboundOutcome.Result] = []
        for update in updates {
            func skipped(_ reason: String) -> InboundOutcome.Result {
                .init(trackingNumber: update.trackingNumber, shipmentID: nil, created: false, inserted: 0, statusChanged: false, skipped: reason)
            }
            var created = false
            var shipment: Shipment?
            if let locked = batch.lockedShipment(tenantID: tenantID, for: update) {
                shipment = locked
            } else {
                shipment = try await Self.findShipment(c, tenantID: tenantID, update: update)
            }
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
            batch.remember(outcome.shipment)
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
        if let event = events.first, events.count == 1, let newest = AppDatabase.newestAdded(events, after: before.lastEventAt) {
            // One event later than every stored one (a provider's push of its latest scan): the
            // status it gives is known without reading, so the checkpoint and the shipment's new
            // state are written by one statement, which writes neither when the checkpoint is known.
            shipment.settle(ShipmentStatusRule.resolve(newest), eta: eta, now: now)
            let fingerprint = event.fingerprint
            let applied = try await c.run("""
                WITH added AS (
                    INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
                        city, region, country, source, raw_code, fingerprint, recorded_at)
                    VALUES (\(shipment.id), \(event.occurredAt), \(event.utcOffsetSeconds), \(event.status.rawValue), \(event.substatus?.description),
                        \(event.message), \(event.location.city), \(event.location.region), \(event.location.country), \(event.source),
                        \(event.rawCode), \(fingerprint), \(now))
                    ON CONFLICT (shipment_id, fingerprint) DO NOTHING RETURNING 1)
                UPDATE shipment SET status = \(shipment.status.rawValue), substatus = \(shipment.substatus?.description),
                    last_event_at = \(shipment.lastEventAt), delivered_at = \(shipment.deliveredAt), eta = \(shipment.eta), updated_at = \(now)
                WHERE id = \(shipment.id) AND EXISTS (SELECT 1 FROM added) RETURNING 1
                """).value(Int32.self)
            if applied != nil {
                try await enqueueNotifications(
                    c, tenantID: shipment.tenantID, before: before, after: shipment, newCheckpoints: [fingerprint], now: now, batch: batch)
                return IngestOutcome(shipment: shipment, inserted: 1, previousStatus: before.status)
            }
            // Known already: only a new ETA may be left to store.
            return try await applyChanges(c, to: before, added: [], fingerprints: [], eta: eta, now: now, batch: batch)
        }
        var added: [CheckpointEvent] = []
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
                added.append(event)
                fingerprints.append(fingerprint)
            }
        }
        return try await applyChanges(c, to: before, added: added, fingerprints: fingerprints, eta: eta, now: now, batch: batch)
    }

    /// Stores what `added` (already inserted) and a new ETA make of a locked shipment.
    private func applyChanges(
        _ c: PostgresConnection, to before: Shipment, added: [CheckpointEvent], fingerprints: [String], eta: Date??, now: Date, batch: PostgresBatch
    ) async throws -> IngestOutcome {
        var shipment = before
        let etaChanged: Bool = if let eta { eta != shipment.eta } else { false }
        guard !added.isEmpty || etaChanged else {
            return IngestOutcome(shipment: shipment, inserted: 0, previousStatus: before.status)
        }
        // The newest checkpoint by event time decides, whatever order they arrived in.
        var newest = AppDatabase.newestAdded(added, after: before.lastEventAt) ?? []
        if newest.isEmpty {
            newest = try await c.run("""
                SELECT * FROM checkpoint WHERE shipment_id = \(shipment.id)
                  AND occurred_at = (SELECT max(occurred_at) FROM checkpoint WHERE shipment_id = \(shipment.id))
                """).records(CheckpointRecord.self).map { try $0.checkpoint().event }
        }
        shipment.settle(ShipmentStatusRule.resolve(newest), eta: eta, now: now)
        try await c.run("""
            UPDATE shipment SET status = \(shipment.status.rawValue), substatus = \(shipment.substatus?.description),
                last_event_at = \(shipment.lastEventAt), delivered_at = \(shipment.deliveredAt), eta = \(shipment.eta), updated_at = \(now)
            WHERE id = \(shipment.id)
            """)
        try await enqueueNotifications(
            c, tenantID: shipment.tenantID, before: before, after: shipment, newCheckpoints: fingerprints, now: now, batch: batch)
        return IngestOutcome(shipment: shipment, inserted: added.count, previousStatus: before.status)
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
