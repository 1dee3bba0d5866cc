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
        try await write { db in try applyEvents(db, tenantID: tenantID, shipmentID: shipmentID, events: events, eta: eta, now: now) }
    }

    /// The body of `recordCheckpoints`, for callers that already hold a write transaction
    /// (provider webhooks record their raw payload in the same one).
    func applyEvents(
        _ db: Database, tenantID: Int64, shipmentID: String, events: [CheckpointEvent], eta: Date??, now: Date
    ) throws -> IngestOutcome {
        guard let record = try ShipmentRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM shipment WHERE tenant_id = ? AND id = ?"), arguments: [tenantID, shipmentID])
        else {
            throw StoreError.shipmentNotFound
        }
        var shipment = try record.shipment()
        let before = shipment
        var added: [String] = []
        for event in events {
            try db.cachedStatement(sql: """
                INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
                    city, region, country, source, raw_code, fingerprint, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (shipment_id, fingerprint) DO NOTHING
                """).execute(arguments: [
                    shipmentID, event.occurredAt, event.utcOffsetSeconds, event.status.rawValue, event.substatus?.description,
                    event.message, event.location.city, event.location.region, event.location.country, event.source,
                    event.rawCode, event.fingerprint, now,
                ])
            if db.changesCount == 1 { added.append(event.fingerprint) }
        }
        let inserted = added.count
        let etaChanged: Bool = if let eta { eta != shipment.eta } else { false }
        guard inserted > 0 || etaChanged else {
            return IngestOutcome(shipment: shipment, inserted: 0, previousStatus: before.status)
        }
        // The newest checkpoint by event time decides, whatever order they arrived in.
        let newest = try CheckpointRecord.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM checkpoint WHERE shipment_id = ?
              AND occurred_at = (SELECT max(occurred_at) FROM checkpoint WHERE shipment_id = ?)
            """), arguments: [shipmentID, shipmentID]).map { try $0.checkpoint().event }
        let resolution = ShipmentStatusRule.resolve(newest)
        shipment.status = resolution.status
        shipment.substatus = resolution.substatus
        shipment.lastEventAt = resolution.lastEventAt
        shipment.deliveredAt = resolution.status == .delivered ? resolution.lastEventAt : nil
        if let eta { shipment.eta = eta }
        shipment.updatedAt = now
        try db.cachedStatement(sql: """
            UPDATE shipment SET status = ?, substatus = ?, last_event_at = ?, delivered_at = ?, eta = ?, updated_at = ?
            WHERE id = ?
            """).execute(arguments: [
                shipment.status.rawValue, shipment.substatus?.description, shipment.lastEventAt, shipment.deliveredAt,
                shipment.eta, now, shipmentID,
            ])
        // The messages this change makes due commit with it, or not at all.
        try enqueueNotifications(db, tenantID: tenantID, before: before, after: shipment, newCheckpoints: added, now: now)
        return IngestOutcome(shipment: shipment, inserted: inserted, previousStatus: before.status)
    }
}
