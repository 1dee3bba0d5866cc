import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Queues a new shipment for registration at each provider account of its tenant that has
    /// registration on, in the caller's transaction: the shipment and its jobs commit together.
    /// `skipProvider` is the provider the shipment came from (its webhook created it), which
    /// already tracks the number. The generic `waymark` feed is the merchant's own: nothing to register.
    static func enqueueRegistrations(_ db: Database, tenantID: Int64, shipmentID: String, skipProvider: String?, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO registration_job (tenant_id, shipment_id, provider, next_attempt_at, created_at, updated_at)
            SELECT tenant_id, ?, provider, ?, ?, ? FROM provider_account
            WHERE tenant_id = ? AND register = 1 AND provider <> 'waymark' AND provider IS NOT ?
            """, arguments: [shipmentID, now, now, now, tenantID, skipProvider])
    }

    /// Claims up to `limit` due jobs (pending, next attempt at or before `now`), oldest due first,
    /// for `owner` and `lease` seconds. Claiming moves the jobs' next attempt to the end of the
    /// lease in the same write transaction, so two workers, in this process or another, never
    /// claim the same job; a worker that dies leaves its jobs due again when the lease ends (or at
    /// once, when its node starts again: `recoverInterruptedRegistrations`).
    public func claimRegistrationJobs(
        owner: String = "local", now: Date = Date(), limit: Int = 100, lease: TimeInterval = RegistrationJob.lease
    ) async throws -> [RegistrationJob] {
        let leaseEnd = now.addingTimeInterval(lease)
        return try await write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT j.*, s.tracking_number, s.carrier, s.order_number, s.customer_email, s.destination_postal_code, a.api_key
                FROM registration_job j
                JOIN shipment s ON s.id = j.shipment_id
                LEFT JOIN provider_account a ON a.tenant_id = j.tenant_id AND a.provider = j.provider
                WHERE j.state = 'pending' AND j.next_attempt_at <= ?
                ORDER BY j.next_attempt_at, j.id
                LIMIT ?
                """, arguments: [now, limit])
            let jobs = try rows.map { row in try Self.claimedJob(row, leaseEnd: leaseEnd) }
            for job in jobs {
                try db.execute(
                    sql: "UPDATE registration_job SET next_attempt_at = ?, lease_owner = ?, updated_at = ? WHERE id = ?",
                    arguments: [leaseEnd, owner, now, job.id])
            }
            return jobs
        }
    }

    /// Makes the jobs `owner` had claimed when it stopped due at once; returns how many. A node
    /// calls this as it starts: what it was registering when it died is sent again (providers
    /// take a number they already track without harm) rather than after the lease.
    @discardableResult
    public func recoverInterruptedRegistrations(owner: String, now: Date = Date()) async throws -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE registration_job SET next_attempt_at = ?, lease_owner = NULL, updated_at = ?
                WHERE state = 'pending' AND lease_owner = ?
                """, arguments: [now, now, owner])
            return db.changesCount
        }
    }

    /// Records what the providers answered for claimed jobs, in one transaction, and keeps each
    /// shipment's `registration_error` in step. `random` picks the retry jitter (-1...1).
    public func recordRegistrationResults(
        _ results: [(job: RegistrationJob, result: RegistrationResult)], now: Date = Date(),
        policy: RetryPolicy = .registration, random: @escaping @Sendable () -> Double = { Double.random(in: -1...1) }
    ) async throws -> [RegistrationJobState] {
        try await write { db in
            try results.map { job, result in
                try Self.record(db, job: job, result: result, now: now, policy: policy, random: random())
            }
        }
    }

    /// Puts a tenant's failed jobs for a provider back in the queue, due now with a fresh
    /// schedule, e.g. after the merchant fixed the API key. Returns how many.
    @discardableResult
    public func retryFailedRegistrations(tenantID: Int64, provider: String, now: Date = Date()) async throws -> Int {
        try await write { db in
            try db.execute(sql: """
                UPDATE registration_job SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
                WHERE tenant_id = ? AND provider = ? AND state = 'failed'
                """, arguments: [now, now, tenantID, provider])
            return db.changesCount
        }
    }

    /// How many jobs are in each state, for the operator and the tests.
    public func registrationJobCounts(tenantID: Int64? = nil) async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT state, count(*) AS n FROM registration_job WHERE ? IS NULL OR tenant_id = ? GROUP BY state
                """, arguments: [tenantID, tenantID])
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(String.self, forColumn: "state"), try $0.decode(Int.self, forColumn: "n")) })
        }
    }

    /// A job as claimed: its row, with what the provider needs from the shipment and the account.
    private static func claimedJob(_ row: Row, leaseEnd: Date) throws -> RegistrationJob {
        let job = try RegistrationJobRecord(row: row)
        func shipment<T: DatabaseValueConvertible>(_ column: Column) throws -> T { try ShipmentRecord.value(column, in: row, id: job.shipmentID) }
        return RegistrationJob(
            id: job.id, tenantID: job.tenantID, provider: job.provider, shipmentID: job.shipmentID,
            trackingNumber: try shipment(ShipmentRecord.Columns.trackingNumber), carrier: try shipment(ShipmentRecord.Columns.carrier),
            orderNumber: try shipment(ShipmentRecord.Columns.orderNumber), customerEmail: try shipment(ShipmentRecord.Columns.customerEmail),
            postalCode: try shipment(ShipmentRecord.Columns.destinationPostalCode),
            apiKey: try ProviderAccountRecord.value(
                ProviderAccountRecord.Columns.apiKey, in: row, id: "tenant_id=\(job.tenantID), provider=\(job.provider)"),
            attempts: job.attempts, leaseExpiresAt: leaseEnd)
    }

    private static func record(
        _ db: Database, job: RegistrationJob, result: RegistrationResult, now: Date, policy: RetryPolicy, random: Double
    ) throws -> RegistrationJobState {
        let attempts = job.attempts + 1
        let state: RegistrationJobState
        switch result {
        case .registered:
            try db.execute(sql: """
                UPDATE registration_job SET state = 'done', attempts = ?, last_error = NULL, lease_owner = NULL, updated_at = ?
                WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                """, arguments: [attempts, now, job.id, job.leaseExpiresAt])
            state = .done
        case .failed(let failure):
            if let delay = policy.delay(
                afterFailedAttempts: attempts, permanent: failure.permanent, retryAfter: failure.retryAfter, random: random) {
                let next = now.addingTimeInterval(delay)
                try db.execute(sql: """
                    UPDATE registration_job SET attempts = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, updated_at = ?
                    WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                    """, arguments: [attempts, next, failure.message, now, job.id, job.leaseExpiresAt])
                state = .retrying(at: next)
            } else {
                try db.execute(sql: """
                    UPDATE registration_job SET state = 'failed', attempts = ?, last_error = ?, lease_owner = NULL, updated_at = ?
                    WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                    """, arguments: [attempts, failure.message, now, job.id, job.leaseExpiresAt])
                state = .failed
            }
        }
        guard db.changesCount == 1 else { return .leaseLost }
        if case .failed(let failure) = result {
            try recordRegistrationError(db, tenantID: job.tenantID, provider: job.provider, error: failure.message, now: now)
        }
        try refreshRegistrationError(db, shipmentID: job.shipmentID, now: now)
        return state
    }

    /// A shipment's `registration_error` is the newest error among its jobs that have not
    /// succeeded: one provider's success does not hide another's failure.
    private static func refreshRegistrationError(_ db: Database, shipmentID: String, now: Date) throws {
        let error = try String.fetchOne(db, sql: """
            SELECT last_error FROM registration_job
            WHERE shipment_id = ? AND state <> 'done' AND last_error IS NOT NULL
            ORDER BY updated_at DESC, id DESC LIMIT 1
            """, arguments: [shipmentID])
        try db.execute(
            sql: "UPDATE shipment SET registration_error = ?, updated_at = ? WHERE id = ? AND registration_error IS NOT ?",
            arguments: [error, now, shipmentID, error])
    }
}
