import Foundation
import PostgresNIO
import WaymarkCore

// The registration queue on PostgreSQL: the same promises as `RegistrationQueue.swift` for SQLite.
//
// Several nodes' workers claim from one queue. A claim reads due jobs with `FOR UPDATE SKIP
// LOCKED` in the transaction that leases them (moves their next attempt to the lease's end and
// names the owner), so two nodes claiming at once take different jobs; a dead node's jobs are due
// again, for anyone, when the lease ends. The lease's end is the claim's token, compared as the
// column stores it (milliseconds), so a result is recorded only while the job still carries it.

extension PostgresStore: RegistrationJobStore {
    public func claimRegistrationJobs(owner: String, now: Date, limit: Int, lease: TimeInterval) async throws -> [RegistrationJob] {
        guard limit > 0 else { return [] }
        let leaseEnd = now.addingTimeInterval(lease)
        return try await transaction { c in
            let rows = try await c.run("""
                SELECT j.*, s.tracking_number, s.carrier, s.order_number, s.customer_email, s.destination_postal_code, a.api_key
                FROM registration_job j
                JOIN shipment s ON s.id = j.shipment_id
                LEFT JOIN provider_account a ON a.tenant_id = j.tenant_id AND a.provider = j.provider
                WHERE j.state = 'pending' AND j.next_attempt_at <= \(now)
                ORDER BY j.next_attempt_at, j.id
                LIMIT \(limit)
                FOR UPDATE OF j SKIP LOCKED
                """)
            var jobs: [RegistrationJob] = []
            for try await row in rows { jobs.append(try Self.claimedJob(row, leaseEnd: leaseEnd)) }
            guard !jobs.isEmpty else { return [] }
            try await c.run("""
                UPDATE registration_job SET next_attempt_at = \(leaseEnd), lease_owner = \(owner), updated_at = \(now)
                WHERE id = ANY(\(jobs.map(\.id)))
                """)
            return jobs
        }
    }

    @discardableResult
    public func recoverInterruptedRegistrations(owner: String, now: Date) async throws -> Int {
        try await run { c in
            try await c.run("""
                UPDATE registration_job SET next_attempt_at = \(now), lease_owner = NULL, updated_at = \(now)
                WHERE state = 'pending' AND lease_owner = \(owner)
                RETURNING 1
                """).values(Int32.self).count
        }
    }

    /// Locks the results' shipments first, in the order of their ids, so a node recording a
    /// result waits for another's on the same shipment and then reads its jobs as that one left
    /// them (a shipment's `registration_error` never misses another node's result), and two
    /// batches never lock the same shipments in opposite orders.
    public func recordRegistrationResults(
        _ results: [(job: RegistrationJob, result: RegistrationResult)], now: Date, policy: RetryPolicy,
        random: @escaping @Sendable () -> Double
    ) async throws -> [RegistrationJobState] {
        guard !results.isEmpty else { return [] }
        let jitters = results.map { _ in random() }
        let shipmentIDs = Set(results.map(\.job.shipmentID)).sorted()
        return try await retryingConflicts {
            try await transaction { c in
                _ = try await c.run("SELECT id FROM shipment WHERE id = ANY(\(shipmentIDs)) ORDER BY id FOR UPDATE").values(String.self)
                var states: [RegistrationJobState] = []
                for (index, (job, result)) in results.enumerated() {
                    states.append(try await Self.record(c, job: job, result: result, now: now, policy: policy, random: jitters[index]))
                }
                return states
            }
        }
    }

    @discardableResult
    public func retryFailedRegistrations(tenantID: Int64, provider: String, now: Date) async throws -> Int {
        try await run { c in
            try await c.run("""
                UPDATE registration_job SET state = 'pending', attempts = 0, next_attempt_at = \(now), updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND provider = \(provider) AND state = 'failed'
                RETURNING 1
                """).values(Int32.self).count
        }
    }

    public func registrationJobCounts(tenantID: Int64?) async throws -> [String: Int] {
        try await run { c in
            var counts: [String: Int] = [:]
            let rows = try await c.run("""
                SELECT state, count(*) FROM registration_job WHERE \(tenantID)::bigint IS NULL OR tenant_id = \(tenantID) GROUP BY state
                """)
            for try await (state, count) in rows.decode((String, Int64).self) { counts[state] = Int(count) }
            return counts
        }
    }

    /// A job as claimed: its row, with what the provider needs from the shipment and the account.
    private static func claimedJob(_ row: PostgresRow, leaseEnd: Date) throws -> RegistrationJob {
        let job = try RegistrationJobRecord(postgres: row)
        let columns = row.makeRandomAccess()
        func value<T: PostgresDecodable, R: StoredRecord>(_ column: String, of record: R.Type, id: String) throws -> T {
            do {
                return try columns[column].decode(T.self)
            } catch {
                throw StoredValueError(table: R.databaseTableName, column: column, rowID: id, problem: "\(error)")
            }
        }
        let account = "tenant_id=\(job.tenantID), provider=\(job.provider)"
        return RegistrationJob(
            id: job.id, tenantID: job.tenantID, provider: job.provider, shipmentID: job.shipmentID,
            trackingNumber: try value("tracking_number", of: ShipmentRecord.self, id: job.shipmentID),
            carrier: try value("carrier", of: ShipmentRecord.self, id: job.shipmentID),
            orderNumber: try value("order_number", of: ShipmentRecord.self, id: job.shipmentID),
            customerEmail: try value("customer_email", of: ShipmentRecord.self, id: job.shipmentID),
            postalCode: try value("destination_postal_code", of: ShipmentRecord.self, id: job.shipmentID),
            apiKey: try value("api_key", of: ProviderAccountRecord.self, id: account),
            attempts: job.attempts, leaseExpiresAt: leaseEnd)
    }

    private static func record(
        _ c: PostgresConnection, job: RegistrationJob, result: RegistrationResult, now: Date, policy: RetryPolicy, random: Double
    ) async throws -> RegistrationJobState {
        let attempts = job.attempts + 1
        let token = job.leaseExpiresAt
        let state: RegistrationJobState
        let changed: Int32?
        switch result {
        case .registered:
            changed = try await c.run("""
                UPDATE registration_job SET state = 'done', attempts = \(attempts), last_error = NULL, lease_owner = NULL, updated_at = \(now)
                WHERE id = \(job.id) AND state = 'pending' AND next_attempt_at = \(token)::timestamptz(3)
                RETURNING 1
                """).value(Int32.self)
            state = .done
        case .failed(let failure):
            if let delay = policy.delay(
                afterFailedAttempts: attempts, permanent: failure.permanent, retryAfter: failure.retryAfter, random: random) {
                let next = now.addingTimeInterval(delay)
                changed = try await c.run("""
                    UPDATE registration_job SET attempts = \(attempts), next_attempt_at = \(next), last_error = \(failure.message), lease_owner = NULL,
                        updated_at = \(now)
                    WHERE id = \(job.id) AND state = 'pending' AND next_attempt_at = \(token)::timestamptz(3)
                    RETURNING 1
                    """).value(Int32.self)
                state = .retrying(at: next)
            } else {
                changed = try await c.run("""
                    UPDATE registration_job SET state = 'failed', attempts = \(attempts), last_error = \(failure.message), lease_owner = NULL,
                        updated_at = \(now)
                    WHERE id = \(job.id) AND state = 'pending' AND next_attempt_at = \(token)::timestamptz(3)
                    RETURNING 1
                    """).value(Int32.self)
                state = .failed
            }
        }
        guard changed != nil else { return .leaseLost }
        if case .failed(let failure) = result {
            try await c.run("""
                INSERT INTO provider_activity (tenant_id, provider, last_registration_error_at, last_registration_error)
                VALUES (\(job.tenantID), \(job.provider), \(now), \(String(failure.message.prefix(500))))
                ON CONFLICT (tenant_id, provider) DO UPDATE SET last_registration_error_at = excluded.last_registration_error_at,
                    last_registration_error = excluded.last_registration_error
                """)
        }
        // The shipment's error is the newest among its jobs that have not succeeded.
        let error = try await c.run("""
            SELECT last_error FROM registration_job
            WHERE shipment_id = \(job.shipmentID) AND state <> 'done' AND last_error IS NOT NULL
            ORDER BY updated_at DESC, id DESC LIMIT 1
            """).value(String.self)
        try await c.run("""
            UPDATE shipment SET registration_error = \(error), updated_at = \(now)
            WHERE id = \(job.shipmentID) AND registration_error IS DISTINCT FROM \(error)::text
            """)
        return state
    }
}
