import Foundation
import Logging
import ServiceLifecycle
import WaymarkCore

/// Works through the registration queue: every few seconds it claims the due jobs, sends them to
/// their providers (one tenant's numbers per request, batched where the provider allows) and
/// records what came back. On graceful shutdown it finishes the pass in hand, so every answer
/// a provider gave is recorded, and stops.
public struct RegistrationService: Service {
    let database: any RegistrationJobStore
    /// This node's id, the owner of the jobs it claims.
    let nodeID: String
    let clients: [String: any RegistrationClient]
    let interval: Duration
    let claimLimit: Int
    let concurrency: Int
    let policy: RetryPolicy
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger

    /// - Parameters:
    ///   - nodeID: this node's id (`WAYMARK_NODE_ID`, the host name by default), as the dispatcher's.
    ///   - clients: one per provider; jobs of a provider without one fail, saying so.
    ///   - claimLimit: the most jobs one pass claims.
    ///   - concurrency: how many provider requests are in flight at once.
    ///   - now, random: the clock and the retry jitter (-1...1), injectable for tests.
    public init(
        database: any RegistrationJobStore, nodeID: String = ProcessInfo.processInfo.hostName, clients: [any RegistrationClient],
        interval: Duration = .seconds(5), claimLimit: Int = 200,
        concurrency: Int = 4, policy: RetryPolicy = .registration, now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: -1...1) }, logger: Logger
    ) {
        self.database = database
        self.nodeID = nodeID
        self.clients = Dictionary(clients.map { ($0.provider, $0) }, uniquingKeysWith: { first, _ in first })
        self.interval = interval
        self.claimLimit = max(claimLimit, 1)
        self.concurrency = max(concurrency, 1)
        self.policy = policy
        self.now = now
        self.random = random
        self.logger = logger
    }

    /// Every live client, one per provider that registers numbers (the generic `waymark` feed
    /// has nothing to register with), all sharing one HTTP client.
    public static func liveClients(baseURLs: ProviderBaseURLs = ProviderBaseURLs(), http: ProviderHTTP = ProviderHTTP()) -> [any RegistrationClient] {
        [
            Track123Registration(baseURL: baseURLs.track123, http: http),
            AfterShipRegistration(baseURL: baseURLs.aftership, http: http),
            SeventeenTrackRegistration(baseURL: baseURLs.seventeenTrack, http: http),
            EasyPostRegistration(baseURL: baseURLs.easypost, http: http),
            ShippoRegistration(baseURL: baseURLs.shippo, http: http),
        ]
    }

    public func run() async throws {
        do {
            let recovered = try await database.recoverInterruptedRegistrations(owner: nodeID, now: now())
            if recovered > 0 { logger.info("registration jobs interrupted by the last stop are due again", metadata: ["jobs": "\(recovered)"]) }
        } catch {
            logger.error("taking back interrupted registration jobs failed", metadata: ["error": .string("\(error)")])
        }
        while !Task.isShuttingDownGracefully {
            var claimedAll = false
            do {
                claimedAll = try await runOnce().claimed == claimLimit
            } catch is CancellationError {
                return
            } catch {
                logger.error("registration pass failed", metadata: ["error": .string("\(error)")])
            }
            // A full claim means more are waiting: go on at once.
            guard !claimedAll else { continue }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch is CancellationError {
                // Graceful shutdown cancels the sleep: a normal end, not a failure.
                return
            }
        }
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var claimed = 0
        public var registered = 0
        public var retrying = 0
        public var failed = 0
        /// Results not recorded because another worker had claimed the job again meanwhile.
        public var leaseLost = 0

        public init(claimed: Int = 0, registered: Int = 0, retrying: Int = 0, failed: Int = 0, leaseLost: Int = 0) {
            self.claimed = claimed
            self.registered = registered
            self.retrying = retrying
            self.failed = failed
            self.leaseLost = leaseLost
        }
    }

    /// One pass: claim the due jobs, register them, record the results. A batch whose request
    /// was cancelled is not recorded: its lease runs out and it is tried again.
    @discardableResult
    public func runOnce() async throws -> Pass {
        let jobs = try await database.claimRegistrationJobs(owner: nodeID, now: now(), limit: claimLimit, lease: RegistrationJob.lease)
        var pass = Pass(claimed: jobs.count)
        guard !jobs.isEmpty else { return pass }
        let batches = batches(of: jobs)
        try await withThrowingTaskGroup(of: [RegistrationJobState].self) { group in
            var next = batches.makeIterator()
            func startNext() -> Bool {
                guard let batch = next.next() else { return false }
                group.addTask { try await self.send(batch) }
                return true
            }
            for _ in 0..<concurrency {
                guard startNext() else { break }
            }
            while let states = try await group.next() {
                for state in states {
                    switch state {
                    case .done: pass.registered += 1
                    case .retrying: pass.retrying += 1
                    case .failed: pass.failed += 1
                    case .leaseLost: pass.leaseLost += 1
                    }
                }
                _ = startNext()
            }
        }
        logger.info("registration pass", metadata: [
            "claimed": .stringConvertible(pass.claimed), "registered": .stringConvertible(pass.registered),
            "retrying": .stringConvertible(pass.retrying), "failed": .stringConvertible(pass.failed),
        ])
        return pass
    }

    /// One tenant's jobs for one provider, at most the provider's batch size.
    struct Batch: Sendable {
        var tenantID: Int64
        var provider: String
        var jobs: [RegistrationJob]
    }

    /// Jobs grouped by tenant and provider (keys never mix), cut to each client's batch limit.
    func batches(of jobs: [RegistrationJob]) -> [Batch] {
        var groups: [String: Batch] = [:]
        var order: [String] = []
        for job in jobs {
            let key = "\(job.tenantID)/\(job.provider)"
            if groups[key] == nil {
                groups[key] = Batch(tenantID: job.tenantID, provider: job.provider, jobs: [])
                order.append(key)
            }
            groups[key]?.jobs.append(job)
        }
        return order.compactMap { groups[$0] }.flatMap { group -> [Batch] in
            let size = max(clients[group.provider]?.batchLimit ?? group.jobs.count, 1)
            return stride(from: 0, to: group.jobs.count, by: size).map { start in
                Batch(tenantID: group.tenantID, provider: group.provider, jobs: Array(group.jobs[start..<min(start + size, group.jobs.count)]))
            }
        }
    }

    private func send(_ batch: Batch) async throws -> [RegistrationJobState] {
        let results: [RegistrationResult]
        if let client = clients[batch.provider] {
            if let apiKey = batch.jobs.first?.apiKey, !apiKey.isEmpty {
                results = try await client.register(batch.jobs, apiKey: apiKey)
            } else {
                let failure = RegistrationFailure("\(batch.provider): no API key is set for this provider", permanent: true)
                results = Array(repeating: .failed(failure), count: batch.jobs.count)
            }
        } else {
            let failure = RegistrationFailure("\(batch.provider): Waymark cannot register numbers at this provider", permanent: true)
            results = Array(repeating: .failed(failure), count: batch.jobs.count)
        }
        // A client that miscounts must not leave jobs unrecorded or record them against the wrong number.
        let checked = results.count == batch.jobs.count
            ? results
            : Array(repeating: .failed(RegistrationFailure("\(batch.provider): the answer did not cover every number", permanent: false)), count: batch.jobs.count)
        // One line per distinct failure in the batch, with the tenant and job ids: never the key,
        // the numbers or the shopper's email. Messages are built without secrets.
        var failures: [String: (failure: RegistrationFailure, jobs: [Int64])] = [:]
        for (job, result) in zip(batch.jobs, checked) {
            if case .failed(let failure) = result { failures[failure.message, default: (failure, [])].jobs.append(job.id) }
        }
        for (message, entry) in failures.sorted(by: { $0.key < $1.key }) {
            logger.warning("registration failed", metadata: [
                "provider": .string(batch.provider), "tenant": .stringConvertible(batch.tenantID), "error": .string(message),
                "permanent": .stringConvertible(entry.failure.permanent), "jobs": .string(entry.jobs.map(String.init).joined(separator: ",")),
            ])
        }
        return try await database.recordRegistrationResults(
            Array(zip(batch.jobs, checked)).map { (job: $0.0, result: $0.1) }, now: now(), policy: policy, random: random)
    }
}
