import Foundation

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

/// Tracking numbers waiting to be registered at the tenant's tracking providers. A claim holds
/// a job under a lease: the claiming node's id and an expiry. The expiry is also the claim's
/// token, so a result is recorded only while the job still carries it; another node takes a dead
/// node's jobs when the lease ends, and a restarted node takes its own back at once.
public protocol RegistrationJobStore: Sendable {
    /// Claims up to `limit` due jobs for `owner` (a node's id) and `lease` seconds, oldest due first.
    func claimRegistrationJobs(owner: String, now: Date, limit: Int, lease: TimeInterval) async throws -> [RegistrationJob]
    /// Makes the jobs `owner` held when it stopped due again at once; returns how many.
    @discardableResult
    func recoverInterruptedRegistrations(owner: String, now: Date) async throws -> Int
    /// Records what providers answered, one transaction for the batch; retries follow `policy`.
    func recordRegistrationResults(
        _ results: [(job: RegistrationJob, result: RegistrationResult)], now: Date, policy: RetryPolicy,
        random: @escaping @Sendable () -> Double
    ) async throws -> [RegistrationJobState]
    /// Makes the tenant's failed jobs at `provider` due again; returns how many.
    @discardableResult
    func retryFailedRegistrations(tenantID: Int64, provider: String, now: Date) async throws -> Int
    /// Jobs by state, of one tenant or all.
    func registrationJobCounts(tenantID: Int64?) async throws -> [String: Int]
}

extension RegistrationJob {
    /// How long a claim keeps a job from other workers: well past a client's request timeouts.
    public static let lease: TimeInterval = 300
}

extension RegistrationJobStore {
    /// Marks a claimed job registered; the shipment's error from this provider goes away.
    @discardableResult
    public func markRegistered(_ job: RegistrationJob, now: Date = Date()) async throws -> RegistrationJobState {
        try await recordRegistrationResults([(job, .registered)], now: now, policy: .registration, random: { 0 }).first ?? .leaseLost
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
}
