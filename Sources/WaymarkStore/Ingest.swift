import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Records carrier events for a shipment, re-derives its status and writes the notifications
    /// the change makes due, in one transaction.
    ///
    /// This is the single path every update takes: provider webhooks, the API's events endpoint
    /// and the demo simulator. A checkpoint already stored (same fingerprint) is ignored, so the
    /// same event delivered many times, even concurrently, changes the shipment once.
    public func recordCheckpoints(
        tenantID: Int64, shipmentID: String, events: [CheckpointEvent], eta: Date?? = nil, now: Date = Date()
    ) async throws -> IngestOutcome {
        try await write { db in
            guard let shipment = try ShipmentRecord.fetchFirst(
                db.cachedStatement(sql: "SELECT * FROM shipment WHERE tenant_id = ? AND id = ?"), arguments: [tenantID, shipmentID])?.shipment()
            else {
                throw StoreError.shipmentNotFound
            }
            return try applyEvents(db, to: shipment, events: events, eta: eta, now: now, batch: CommitBatch())
        }
    }

    /// The body of `recordCheckpoints`, for callers that already hold a write transaction and
    /// the shipment as it stands in it (provider webhooks record their raw payload in the same one).
    func applyEvents(
        _ db: Database, to before: Shipment, events: [CheckpointEvent], eta: Date??, now: Date, batch: CommitBatch
    ) throws -> IngestOutcome {
        var shipment = before
        var added: [CheckpointEvent] = []
        var fingerprints: [String] = []
        for event in events {
            let fingerprint = event.fingerprint
            try db.cachedStatement(sql: """
                INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
                    city, region, country, source, raw_code, fingerprint, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (shipment_id, fingerprint) DO NOTHING
                """).execute(arguments: [
                    shipment.id, StoredDate(event.occurredAt), event.utcOffsetSeconds, event.status.rawValue, event.substatus?.description,
                    event.message, event.location.city, event.location.region, event.location.country, event.source,
                    event.rawCode, fingerprint, StoredDate(now),
                ])
            if db.changesCount == 1 {
                added.append(event)
                fingerprints.append(fingerprint)
            }
        }
        let etaChanged: Bool = if let eta { eta != shipment.eta } else { false }
        guard !added.isEmpty || etaChanged else {
            return IngestOutcome(shipment: shipment, inserted: 0, previousStatus: before.status)
        }
        // The newest checkpoint by event time decides, whatever order they arrived in.
        shipment.settle(ShipmentStatusRule.resolve(try newestCheckpoints(db, of: before, adding: added)), eta: eta, now: now)
        try db.cachedStatement(sql: """
            UPDATE shipment SET status = ?, substatus = ?, last_event_at = ?, delivered_at = ?, eta = ?, updated_at = ?
            WHERE id = ?
            """).execute(arguments: [
                shipment.status.rawValue, shipment.substatus?.description, shipment.lastEventAt.map(StoredDate.init),
                shipment.deliveredAt.map(StoredDate.init), shipment.eta.map(StoredDate.init), StoredDate(now), shipment.id,
            ])
        // The messages this change makes due commit with it, or not at all.
        try enqueueNotifications(db, tenantID: shipment.tenantID, before: before, after: shipment, newCheckpoints: fingerprints, now: now, batch: batch)
        return IngestOutcome(shipment: shipment, inserted: added.count, previousStatus: before.status)
    }

    /// The checkpoints at the newest event time once `added` are stored (see `newestAdded`).
    private func newestCheckpoints(_ db: Database, of shipment: Shipment, adding added: [CheckpointEvent]) throws -> [CheckpointEvent] {
        if let newest = Self.newestAdded(added, after: shipment.lastEventAt) { return newest }
        return try CheckpointRecord.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM checkpoint WHERE shipment_id = ?
              AND occurred_at = (SELECT max(occurred_at) FROM checkpoint WHERE shipment_id = ?)
            """), arguments: [shipment.id, shipment.id]).map { try $0.checkpoint().event }
    }

    /// The newest checkpoints once `added` are stored, when they can be told without reading:
    /// `lastEventAt`, as read from the shipment's locked row, is the latest stored event time
    /// (only ingest writes checkpoints and that column, holding the shipment), nil while none is
    /// stored. So when an added checkpoint is later, to the millisecond a time is stored with,
    /// the newest are the added ones in that millisecond (given one time, so that they tie as
    /// stored ones would). Nil when the stored ones must be read.
    static func newestAdded(_ added: [CheckpointEvent], after lastEventAt: Date?) -> [CheckpointEvent]? {
        let stored = added.map { StoredDate.milliseconds($0.occurredAt) }
        guard let latest = stored.max(), lastEventAt.map({ latest > StoredDate.milliseconds($0) }) ?? true else { return nil }
        let newest = zip(added, stored).filter { $0.1 == latest }.map(\.0)
        return newest.map { event in
            var event = event
            event.occurredAt = newest[0].occurredAt
            return event
        }
    }
}
