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
        return try await ingestCommits.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, provider, event_key) DO NOTHING
                """).execute(arguments: [tenantID, provider, key, Data(body), now])
            guard db.changesCount == 1 else { return InboundOutcome(duplicate: true, results: []) }
            let eventRowID = db.lastInsertedRowID
            try Self.recordEventReceived(db, tenantID: tenantID, provider: provider, now: now)
            let results = try apply(db, tenantID: tenantID, provider: provider, updates: updates, now: now)
            try db.cachedStatement(sql: "UPDATE inbound_event SET processed_at = ?, outcome = ? WHERE id = ?")
                .execute(arguments: [now, Self.summary(results), eventRowID])
            return InboundOutcome(duplicate: false, results: results)
        }
    }

    /// Applies updates again, e.g. from a stored payload after a mapping fix. Checkpoints already
    /// stored are kept once (fingerprints), so a replay only adds what is new. `provider` is the
    /// payload's provider: a shipment it creates is not registered back there.
    public func reapply(tenantID: Int64, provider: String? = nil, updates: [TrackingUpdate], now: Date = Date()) async throws -> [InboundOutcome.Result] {
        try await write { db in try apply(db, tenantID: tenantID, provider: provider, updates: updates, now: now) }
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

    func apply(_ db: Database, tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date) throws -> [InboundOutcome.Result] {
        let settings = try Self.ingestSettings(db, tenantID: tenantID)
        return try updates.map { update in
            func skipped(_ reason: String) -> InboundOutcome.Result {
                .init(trackingNumber: update.trackingNumber, shipmentID: nil, created: false, inserted: 0, statusChanged: false, skipped: reason)
            }
            var created = false
            var shipmentID = try Self.findShipmentID(db, tenantID: tenantID, update: update)
            if shipmentID == nil {
                guard settings.autoCreateShipments else { return skipped("unknown tracking number and auto-create is off") }
                // Checked before anything is written: a number no shipment could have is kept in
                // the stored payload with the reason, and the provider gets its 2xx.
                let draft: NewShipment
                do { draft = try NewShipment(trackingNumber: update.trackingNumber, carrier: update.carrier).validated() } catch {
                    return skipped("cannot create a shipment: \(error)")
                }
                // The provider that sent the update already tracks the number.
                shipmentID = try insertShipment(db, tenantID: tenantID, draft, now: now, skipProvider: provider).id
                created = true
            }
            guard let shipmentID else { throw StoreError.shipmentNotFound }
            let outcome = try applyEvents(db, tenantID: tenantID, shipmentID: shipmentID, events: update.events, eta: update.eta.map { $0 }, now: now)
            return .init(trackingNumber: update.trackingNumber, shipmentID: shipmentID, created: created,
                         inserted: outcome.inserted, statusChanged: outcome.statusChanged, skipped: nil)
        }
    }

    /// The tenant's shipment for a number: the one with the same carrier, else the newest with
    /// that number whatever its carrier (providers and merchants name carriers differently).
    static func findShipmentID(_ db: Database, tenantID: Int64, update: TrackingUpdate) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT id FROM shipment WHERE tenant_id = ? AND tracking_number = ?
            ORDER BY (carrier = ?) DESC, created_at DESC LIMIT 1
            """), arguments: [tenantID, update.trackingNumber, update.carrier ?? ""])
    }

    static func summary(_ results: [InboundOutcome.Result]) -> String {
        results.map { result in
            result.skipped.map { "\(result.trackingNumber): skipped (\($0))" }
                ?? "\(result.trackingNumber): \(result.created ? "created, " : "")\(result.inserted) new checkpoint(s)"
        }.joined(separator: "; ")
    }
}
