import Foundation
import PostgresNIO
import WaymarkCore

// The hourly sweeps and the health check on PostgreSQL: the same promises as `Maintenance.swift`
// and `StorageCheck.swift` for SQLite.
//
// Every node runs the sweeps, often at the same moment (they all start together). So here each
// sweep works in batches of at most `batch` rows, each its own short transaction, taking only rows
// no other node holds (`FOR UPDATE SKIP LOCKED`): two nodes sweeping at once share the work and
// never count a row twice, and no sweep holds thousands of row locks while requests wait. A
// sweep goes on until a batch comes back short, so one pass does what SQLite's single write does.

extension PostgresStore: MaintenanceStore {
    /// Sweeps run on one node at a time: the node that takes the session-level advisory lock
    /// sweeps, holding it on a connection of its own until done (or until it dies, when
    /// PostgreSQL lets the lock go); the others find it taken and skip this round.
    package static let maintenanceLock: Int64 = 0x5761_796d_6172_6b02  // "Waymark" and 2

    public func runMaintenance(now: Date, batch: Int) async throws -> MaintenanceReport {
        try await primaryHealth.check()
        do {
            return try await client.withConnection { lock in
                guard try await lock.run("SELECT pg_try_advisory_lock(\(Self.maintenanceLock))").required(Bool.self) else {
                    return MaintenanceReport()
                }
                do {
                    let report = try await sweepEverything(now: now, batch: batch)
                    _ = try? await lock.run("SELECT pg_advisory_unlock(\(Self.maintenanceLock))").values(Bool.self)
                    return report
                } catch {
                    _ = try? await lock.run("SELECT pg_advisory_unlock(\(Self.maintenanceLock))").values(Bool.self)
                    throw error
                }
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    private func sweepEverything(now: Date, batch: Int) async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let batch = max(1, batch)
        let cutoff = now.addingTimeInterval(-Retention.silentShipments)
        let stale = try await run { c in
            var stale: [(tenantID: Int64, id: String)] = []
            for try await (tenantID, id) in try await c.run("""
                SELECT s.tenant_id, s.id FROM shipment s
                WHERE s.status = 'pending' AND s.created_at <= \(cutoff) AND s.archived_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM checkpoint c WHERE c.shipment_id = s.id)
                LIMIT \(batch)
                """).decode((Int64, String).self)
            {
                stale.append((tenantID, id))
            }
            return stale
        }
        for shipment in stale where try await expire(tenantID: shipment.tenantID, shipmentID: shipment.id, cutoff: cutoff, now: now) {
            report.expired += 1
        }

        report.archived = try await sweep(batch) { limit in
            """
            UPDATE shipment SET archived_at = \(now), updated_at = \(now) WHERE id IN (
                SELECT s.id FROM shipment s JOIN tenant t ON t.id = s.tenant_id
                WHERE s.status = 'delivered' AND s.archived_at IS NULL AND s.delivered_at IS NOT NULL
                  AND s.delivered_at <= \(now)::timestamptz - t.delivered_retention_days * interval '1 second' * 86400
                LIMIT \(limit) FOR UPDATE OF s SKIP LOCKED)
            RETURNING 1
            """
        }
        let payloadCutoff = now.addingTimeInterval(-Retention.inboundPayloads)
        report.purgedPayloads = try await sweep(batch) { limit in
            """
            DELETE FROM inbound_event WHERE id IN (
                SELECT id FROM inbound_event WHERE received_at < \(payloadCutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        let keyCutoff = now.addingTimeInterval(-Retention.idempotencyKeys)
        report.purgedIdempotencyKeys = try await sweep(batch) { limit in
            """
            DELETE FROM idempotency_key WHERE (tenant_id, key) IN (
                SELECT tenant_id, key FROM idempotency_key WHERE created_at < \(keyCutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        let auditCutoff = now.addingTimeInterval(-AuditEntry.retention)
        _ = try await sweep(batch) { limit in
            """
            DELETE FROM audit_entry WHERE id IN (
                SELECT id FROM audit_entry WHERE created_at < \(auditCutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        // Sessions, reset links and invitations are dead long before this; kept a while for the audit trail.
        let spent = now.addingTimeInterval(-Retention.spentAccountLinks)
        _ = try await sweep(batch) { limit in
            """
            DELETE FROM admin_session WHERE id IN (
                SELECT id FROM admin_session WHERE last_seen_at < \(spent) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        _ = try await sweep(batch) { limit in
            """
            DELETE FROM password_reset WHERE secret_sha256 IN (
                SELECT secret_sha256 FROM password_reset WHERE expires_at < \(spent) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        _ = try await sweep(batch) { limit in
            """
            DELETE FROM invitation WHERE id IN (
                SELECT id FROM invitation WHERE expires_at < \(spent) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING 1
            """
        }
        return report
    }

    /// Expires a silent shipment through the ordinary ingest path (an `expired` checkpoint), when
    /// it is still silent once its row is locked: another node's sweep, or a carrier's first
    /// event, may have come first. Whether its status changed.
    private func expire(tenantID: Int64, shipmentID: String, cutoff: Date, now: Date) async throws -> Bool {
        let event = CheckpointEvent(
            occurredAt: now, status: .expired, message: "No tracking information from the carrier for 30 days", source: "waymark")
        return try await retryingConflicts {
            try await self.transaction { c in
                guard let shipment = try await c.run("""
                    SELECT * FROM shipment s WHERE s.tenant_id = \(tenantID) AND s.id = \(shipmentID)
                      AND s.status = 'pending' AND s.created_at <= \(cutoff) AND s.archived_at IS NULL FOR UPDATE
                    """).record(ShipmentRecord.self)?.shipment(),
                    try await c.run("SELECT 1 FROM checkpoint WHERE shipment_id = \(shipmentID) LIMIT 1").value(Int32.self) == nil
                else { return false }
                return try await self.applyEvents(c, to: shipment, events: [event], eta: nil, now: now, batch: PostgresBatch()).statusChanged
            }
        }
    }

    /// Runs `statement` (made for a batch size, returning a row per row it changed) until a run
    /// changes fewer than `batch` rows; each run is its own transaction. Returns the rows changed.
    private func sweep(_ batch: Int, _ statement: (Int) -> PostgresQuery) async throws -> Int {
        var total = 0
        while true {
            let query = statement(batch)
            let changed = try await run { c in
                try await c.run("WITH changed AS (\(query.sql)) SELECT count(*) FROM changed", binds: query.binds).required(Int64.self)
            }
            total += Int(changed)
            if changed < batch { return total }
        }
    }

    /// The server answers a query on Waymark's tables and takes writes (it is not a standby, nor
    /// read-only). Any failure is `StoreError.storageUnavailable`, with PostgreSQL's reason.
    public func checkStorage() async throws {
        let (standby, readOnly): (Bool, Bool)
        do {
            (standby, readOnly) = try await run { c in
                for try await row in try await c.run("""
                    SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on', (SELECT count(*) FROM tenant WHERE id = 0)
                    """).decode((Bool, Bool, Int64).self)
                {
                    return (row.0, row.1)
                }
                throw StoreError.storageUnavailable("PostgreSQL returned no row where one was due")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.storageUnavailable("PostgreSQL: \(Self.reason(error))")
        }
        if standby { throw StoreError.storageUnavailable("PostgreSQL at \(url.host):\(url.port) is a standby, which cannot be written") }
        if readOnly { throw StoreError.storageUnavailable("PostgreSQL at \(url.host):\(url.port) is read-only (default_transaction_read_only)") }
    }

    /// PostgreSQL's message for a failure, or the failure.
    private static func reason(_ error: any Error) -> String {
        let error = (error as? PostgresTransactionError)?.closureError ?? error
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            return "\(message) (\(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return String(describing: error)
    }
}

extension PostgresConnection {
    /// Runs a statement given as SQL with its binds.
    fileprivate func run(_ sql: String, binds: PostgresBindings) async throws -> PostgresRowSequence {
        try await run(PostgresQuery(unsafeSQL: sql, binds: binds))
    }
}

extension PostgresStore {
    /// Runs `body` while this store holds the session-level advisory lock `key` (for tests that
    /// play another node in the middle of its work).
    package func holdAdvisoryLock(_ key: Int64, _ body: () async throws -> Void) async throws {
        try await client.withConnection { connection in
            _ = try await connection.run("SELECT 1 FROM pg_advisory_lock(\(key))").values(Int32.self)
            do {
                try await body()
            } catch {
                _ = try? await connection.run("SELECT pg_advisory_unlock(\(key))").values(Bool.self)
                throw error
            }
            _ = try await connection.run("SELECT pg_advisory_unlock(\(key))").values(Bool.self)
        }
    }
}
