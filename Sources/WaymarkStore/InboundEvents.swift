import Crypto
import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Records a verified provider webhook and applies its updates, all in one transaction, so
    /// the provider's 2xx means "stored". Replays of the same event (same provider event id, or
    /// the same body when the provider sends no id) change nothing. Webhooks that arrive together
    /// commit together (`GroupCommit`), each in its own savepoint.
    public func ingest(
        tenantID: Int64, provider: String, eventID: String?, body: [UInt8], updates: [TrackingUpdate], now: Date = Date()
    ) async throws -> InboundOutcome {
        let key = eventID.map { "id:\($0)" } ?? "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        do {
            return try await ingestCommits.write { db, batch in
                // Applied first and stored last, with what came of it: a replay finds the key
                // taken and its savepoint, updates and all, is rolled back.
                let results = try apply(db, tenantID: tenantID, provider: provider, updates: updates, now: now, batch: batch)
                try db.cachedStatement(sql: """
                    INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at, processed_at, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, provider, event_key) DO NOTHING
                    """).execute(arguments: [tenantID, provider, key, Data(body), StoredDate(now), StoredDate(now), Self.summary(results)])
                guard db.changesCount == 1 else { throw AlreadyIngested() }
                batch.atCommit("provider_activity \(tenantID) \(provider)") { db in
                    try Self.recordEventReceived(db, tenantID: tenantID, provider: provider, now: now)
                }
                return InboundOutcome(duplicate: false, results: results)
            }
        } catch is AlreadyIngested {
            return InboundOutcome(duplicate: true, results: [])
        }
    }

    /// Thrown inside an ingest's savepoint to undo what a replayed event applied.
    private struct AlreadyIngested: Error {}

    /// Applies updates again, e.g. from a stored payload after a mapping fix. Checkpoints already
    /// stored are kept once (fingerprints), so a replay only adds what is new. `provider` is the
    /// payload's provider: a shipment it creates is not registered back there.
    public func reapply(tenantID: Int64, provider: String? = nil, updates: [TrackingUpdate], now: Date = Date()) async throws -> [InboundOutcome.Result] {
        try await write { db in try apply(db, tenantID: tenantID, provider: provider, updates: updates, now: now, batch: CommitBatch()) }
    }

    /// Stored payloads of a tenant received at or after `since`, oldest first.
    public func inboundEvents(tenantID: Int64, since: Date, provider: String? = nil, id: Int64? = nil) async throws -> [InboundEvent] {
        try await read { db in
            try InboundEventRecord.fetchAll(db, sql: """
                SELECT * FROM inbound_event
                WHERE tenant_id = ? AND received_at >= ? AND (? IS NULL OR provider = ?) AND (? IS NULL OR id = ?)
                ORDER BY id
                """, arguments: [tenantID, since, provider, provider, id, id])
            .map(\.event)
        }
    }

    func apply(
        _ db: Database, tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date, batch: CommitBatch
    ) throws -> [InboundOutcome.Result] {
        let settings = try batch.once("ingest settings \(tenantID)") { try Self.ingestSettings(db, tenantID: tenantID) }
        return try updates.map { update in
            func skipped(_ reason: String) -> InboundOutcome.Result {
                .init(trackingNumber: update.trackingNumber, shipmentID: nil, created: false, inserted: 0, statusChanged: false, skipped: reason)
            }
            var created = false
            var shipment = try Self.findShipment(db, tenantID: tenantID, update: update)
            if shipment == nil {
                guard settings.autoCreateShipments else { return skipped("unknown tracking number and auto-create is off") }
                // Checked before anything is written: a number no shipment could have is kept in
                // the stored payload with the reason, and the provider gets its 2xx.
                let draft: NewShipment
                do { draft = try NewShipment(trackingNumber: update.trackingNumber, carrier: update.carrier).validated() } catch {
                    return skipped("cannot create a shipment: \(error)")
                }
                // The provider that sent the update already tracks the number.
                shipment = try insertShipment(db, tenantID: tenantID, draft, now: now, skipProvider: provider)
                created = true
            }
            guard let shipment else { throw StoreError.shipmentNotFound }
            let outcome = try applyEvents(db, to: shipment, events: update.events, eta: update.eta.map { $0 }, now: now, batch: batch)
            return .init(trackingNumber: update.trackingNumber, shipmentID: shipment.id, created: created,
                         inserted: outcome.inserted, statusChanged: outcome.statusChanged, skipped: nil)
        }
    }

    /// The tenant's shipment for a number: the one with the same carrier, else the newest with
    /// that number whatever its carrier (providers and merchants name carriers differently).
    static func findShipment(_ db: Database, tenantID: Int64, update: TrackingUpdate) throws -> Shipment? {
        try ShipmentRecord.fetchFirst(db.cachedStatement(sql: """
            SELECT * FROM shipment WHERE tenant_id = ? AND tracking_number = ?
            ORDER BY (carrier = ?) DESC, created_at DESC LIMIT 1
            """), arguments: [tenantID, update.trackingNumber, update.carrier ?? ""])?.shipment()
    }

    static func summary(_ results: [InboundOutcome.Result]) -> String {
        results.map { result in
            result.skipped.map { "\(result.trackingNumber): skipped (\($0))" }
                ?? "\(result.trackingNumber): \(result.created ? "created, " : "")\(result.inserted) new checkpoint(s)"
        }.joined(separator: "; ")
    }
}
