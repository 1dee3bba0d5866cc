import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Expires silent shipments, archives delivered ones past the tenant's retention, and purges
    /// old payloads and idempotency keys. Expiry goes through the ordinary ingest path: an
    /// `expired` checkpoint, so the page and the API explain what happened.
    public func runMaintenance(now: Date = Date(), batch: Int = 500) async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let cutoff = now.addingTimeInterval(-Retention.silentShipments)
        let stale = try await read { db in
            try Row.fetchAll(db, sql: Self.silentShipmentsSQL, arguments: [cutoff, batch]).map { row in
                let id: String = try ShipmentRecord.value(ShipmentRecord.Columns.id, in: row, id: "?")
                return (tenantID: try ShipmentRecord.value(ShipmentRecord.Columns.tenantID, in: row, id: id) as Int64, id: id)
            }
        }
        for shipment in stale {
            let event = CheckpointEvent(
                occurredAt: now, status: .expired, message: "No tracking information from the carrier for 30 days", source: "waymark")
            let outcome = try await recordCheckpoints(tenantID: shipment.tenantID, shipmentID: shipment.id, events: [event], now: now)
            if outcome.statusChanged { report.expired += 1 }
        }
        let counts = try await write { db -> (Int, Int, Int) in
            try db.execute(sql: Self.archiveDeliveredSQL, arguments: [now, now, now])
            let archived = db.changesCount
            try db.execute(sql: "DELETE FROM inbound_event WHERE received_at < ?", arguments: [now.addingTimeInterval(-Retention.inboundPayloads)])
            let payloads = db.changesCount
            try db.execute(sql: "DELETE FROM idempotency_key WHERE created_at < ?", arguments: [now.addingTimeInterval(-Retention.idempotencyKeys)])
            let keys = db.changesCount
            try db.execute(sql: "DELETE FROM audit_entry WHERE created_at < ?", arguments: [now.addingTimeInterval(-AuditEntry.retention)])
            // Sessions, reset links and invitations are dead long before this; kept a while for the audit trail.
            let spent = now.addingTimeInterval(-Retention.spentAccountLinks)
            try db.execute(sql: "DELETE FROM admin_session WHERE last_seen_at < ?", arguments: [spent])
            try db.execute(sql: "DELETE FROM password_reset WHERE expires_at < ?", arguments: [spent])
            try db.execute(sql: "DELETE FROM invitation WHERE expires_at < ?", arguments: [spent])
            return (archived, payloads, keys)
        }
        (report.archived, report.purgedPayloads, report.purgedIdempotencyKeys) = counts
        return report
    }

    /// Pending shipments created before `?` that never had a checkpoint, at most `?` of them;
    /// read through the partial index `shipment_pending_unarchived`.
    static let silentShipmentsSQL = """
        SELECT s.tenant_id, s.id FROM shipment s
        WHERE s.status = 'pending' AND s.created_at <= ? AND s.archived_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM checkpoint c WHERE c.shipment_id = s.id)
        LIMIT ?
        """

    /// Archives delivered shipments past their tenant's retention (arguments: now, now, now);
    /// reads only delivered, unarchived ones, through `shipment_delivered_unarchived`.
    static let archiveDeliveredSQL = """
        UPDATE shipment SET archived_at = ?, updated_at = ?
        WHERE status = 'delivered' AND archived_at IS NULL AND delivered_at IS NOT NULL
          AND julianday(delivered_at) <= julianday(?) - (SELECT delivered_retention_days FROM tenant WHERE tenant.id = shipment.tenant_id)
        """
}
