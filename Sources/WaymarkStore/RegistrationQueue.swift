import Foundation
import GRDB
import WaymarkCore

/// A tracking number waiting to be registered at one tracking provider, as a worker claims it:
/// everything the provider's client needs, so sending it takes no further reads.
public struct RegistrationJob: Sendable, Equatable {
    public var id: Int64
    public var tenantID: Int64
    /// The provider account's name: `track123`, `aftership`, `17track`, `easypost` or `shippo`.
    public var provider: String
    public var shipmentID: String
    public var trackingNumber: String
    /// A `CarrierRegistry` code, or `unknown`.
    public var carrier: String
    public var orderNumber: String?
    public var customerEmail: String?
    public var postalCode: String?
    /// The tenant's key for this provider; nil when the account has none.
    public var apiKey: String?
    /// Attempts already made before this one.
    public var attempts: Int
    /// Until when this claim holds the job. It is also the claim's token: a result is only
    /// recorded while the job still carries it, so a worker whose lease ran out and was claimed
    /// again by another cannot overwrite that worker's result.
    public var leaseExpiresAt: Date

    public init(
        id: Int64, tenantID: Int64, provider: String, shipmentID: String, trackingNumber: String, carrier: String,
        orderNumber: String? = nil, customerEmail: String? = nil, postalCode: String? = nil, apiKey: String? = nil,
        attempts: Int = 0, leaseExpiresAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.provider = provider
        self.shipmentID = shipmentID
        self.trackingNumber = trackingNumber
        self.carrier = carrier
        self.orderNumber = orderNumber
        self.customerEmail = customerEmail
        self.postalCode = postalCode
        self.apiKey = apiKey
        self.attempts = attempts
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// Why a number was not registered, in words the merchant sees on the shipment.
public struct RegistrationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Short and free of secrets, e.g. "aftership: 401 Unauthorized (invalid API key)".
    public var message: String
    /// The same request would get the same answer (a rejected key or number): don't retry.
    public var permanent: Bool
    /// The provider asked to wait this long before trying again (`Retry-After`).
    public var retryAfter: TimeInterval?

    public init(_ message: String, permanent: Bool, retryAfter: TimeInterval? = nil) {
        self.message = message
        self.permanent = permanent
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}

/// What a provider answered for one number.
public enum RegistrationResult: Sendable, Equatable {
    case registered
    case failed(RegistrationFailure)
}

/// Where a job stands after a result was recorded.
public enum RegistrationJobState: Sendable, Equatable {
    case done
    /// A retryable failure: the job is due again at this time.
    case retrying(at: Date)
    /// Given up: a permanent failure, or the last attempt failed.
    case failed
    /// The claim had expired and the job was claimed again (or finished) meanwhile; nothing was recorded.
    case leaseLost
}

extension AppDatabase {
    /// How long a claim keeps a job from other workers: well past a client's request timeouts.
    public static let registrationLease: TimeInterval = 300

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
    /// for `lease` seconds. Claiming moves the jobs' next attempt to the end of the lease in the
    /// same write transaction, so two workers, in this process or another, never claim the same
    /// job; a worker that dies leaves its jobs due again when the lease ends.
    public func claimRegistrationJobs(now: Date = Date(), limit: Int = 100, lease: TimeInterval = registrationLease) async throws -> [RegistrationJob] {
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
                    sql: "UPDATE registration_job SET next_attempt_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [leaseEnd, now, job.id])
            }
            return jobs
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

    /// Marks a claimed job registered; the shipment's error from this provider goes away.
    @discardableResult
    public func markRegistered(_ job: RegistrationJob, now: Date = Date()) async throws -> RegistrationJobState {
        try await recordRegistrationResults([(job, .registered)], now: now).first ?? .leaseLost
    }

    /// Records a failed attempt: the job is due again after the policy's backoff, or failed for
    /// good; the shipment shows the failure's message either way.
    @discardableResult
    public func markRegistrationFailed(
        _ job: RegistrationJob, _ failure: RegistrationFailure, now: Date = Date(), policy: RetryPolicy = .registration,
        random: @escaping @Sendable () -> Double = { Double.random(in: -1...1) }
    ) async throws -> RegistrationJobState {
        try await recordRegistrationResults([(job, .failed(failure))], now: now, policy: policy, random: random).first ?? .leaseLost
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
                UPDATE registration_job SET state = 'done', attempts = ?, last_error = NULL, updated_at = ?
                WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                """, arguments: [attempts, now, job.id, job.leaseExpiresAt])
            state = .done
        case .failed(let failure):
            if let delay = policy.delay(
                afterFailedAttempts: attempts, permanent: failure.permanent, retryAfter: failure.retryAfter, random: random) {
                let next = now.addingTimeInterval(delay)
                try db.execute(sql: """
                    UPDATE registration_job SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?
                    WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                    """, arguments: [attempts, next, failure.message, now, job.id, job.leaseExpiresAt])
                state = .retrying(at: next)
            } else {
                try db.execute(sql: """
                    UPDATE registration_job SET state = 'failed', attempts = ?, last_error = ?, updated_at = ?
                    WHERE id = ? AND state = 'pending' AND next_attempt_at = ?
                    """, arguments: [attempts, failure.message, now, job.id, job.leaseExpiresAt])
                state = .failed
            }
        }
        guard db.changesCount == 1 else { return .leaseLost }
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
