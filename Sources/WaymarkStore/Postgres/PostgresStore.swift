import Foundation
import _ConnectionPoolModule
import Logging
import NIOSSL
import PostgresNIO
import Synchronization
import WaymarkCore

/// Waymark's data on a PostgreSQL server, for several `waymark serve` nodes sharing one database.
/// It implements the same storage protocols as `AppDatabase` (SQLite) with the same promises;
/// the contract suite (`Tests/WaymarkStorageContractTests`) runs each against both.
///
/// A store owns a connection pool (postgres-nio's `PostgresClient`) of at most `connections`
/// connections to the primary, and one as large to each streaming replica it is given: reads that
/// may be a moment behind (tracking pages, shoppers' lookups) go to the replicas in turn, and
/// everything else, every write and every read that must see its own writes, to the primary.
public final class PostgresStore: Sendable {
    public let url: PostgresURL
    public let replicaURLs: [PostgresURL]
    /// The public addresses written into outgoing messages in the same transaction as the change.
    public let links: PublicLinks
    let client: PostgresClient
    private let replicas: [PostgresClient]
    /// Whether the primary and each replica answer (see `ServerHealth`).
    let primaryHealth: ServerHealth
    private let replicaHealth: [ServerHealth]
    let logger: Logger
    /// Rings after any node commits deliveries (see `listenToOtherNodes`).
    public let outboxSignal = OutboxSignal()
    private let runners: [Task<Void, Never>]
    private let listener = Mutex<Task<Void, Never>?>(nil)
    /// Counts reads of `localCommits` (see there).
    private let commitReadCount = Atomic<UInt64>(0)
    /// Counts changes to a tenant or a provider account made here or heard of from other nodes
    /// (`localSettingsCommits`).
    private let settingsChanges = Atomic<UInt64>(0)
    /// Which replica serves the next read.
    private let replicaTurn = Atomic<UInt64>(0)
    /// Provider webhooks arriving together share a transaction (see `ingest`).
    let ingestCommits: PostgresGroupCommit<PendingEvent, InboundOutcome>
    /// When this node last wrote each tenant's provider's `provider_activity` (see `ingest`).
    let providerActivity = Mutex<[String: Date]>([:])

    /// Connects lazily: the first query opens the first connection. Call `migrate()` before use
    /// (`serve` and `migrate` do) and `close()` when done.
    public init(
        url: PostgresURL, replicas: [PostgresURL] = [], connections: Int = 10, links: PublicLinks = .local,
        logger: Logger = Logger(label: "waymark.postgres")
    ) {
        self.url = url
        self.replicaURLs = replicas
        self.links = links
        self.logger = logger
        client = Self.client(url, connections: connections, logger: logger)
        // Half the pool, so that pages, the API and the dispatcher still find connections.
        ingestCommits = PostgresGroupCommit(writers: connections / 2)
        self.replicas = replicas.map { Self.client($0, connections: connections, logger: logger) }
        runners = ([client] + self.replicas).map { client in Task { await client.run() } }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        primaryHealth = ServerHealth(url: url, logger: quiet)
        replicaHealth = replicas.map { ServerHealth(url: $0, logger: quiet) }
    }

    private static func client(_ url: PostgresURL, connections: Int, logger: Logger) -> PostgresClient {
        var configuration: PostgresClient.Configuration
        if let directory = url.socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)", username: url.user, password: url.password, database: url.database)
        } else {
            configuration = PostgresClient.Configuration(
                host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: Self.tls(url.tls))
            if url.tls == .verifyFull { configuration.options.tlsServerName = url.host }
        }
        configuration.options.maximumConnections = max(1, connections)
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [("application_name", "waymark"), ("TimeZone", "UTC")]
        // The pool's own log says little an operator needs (failures reach the caller as errors)
        // and warns about a query sent in the moment before `run()` starts.
        var background = logger
        background.logLevel = .error
        return PostgresClient(configuration: configuration, backgroundLogger: background)
    }

    /// Starts hearing what other nodes commit (`serve` does this, on a connection of its own
    /// beside the pool): deliveries ring `outboxSignal`, and a changed tenant or provider account moves
    /// `localSettingsCommits`, so that what this node remembers of them (a custom domain's
    /// tenant, a hook's secret) is read again at once rather than when it ages out.
    public func listenToOtherNodes() {
        listener.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in await self?.runListener() }
        }
    }

    /// The channel that tells every node a tenant or a provider account changed.
    static let settingsChannel = "waymark_settings"

    /// Listens on both channels until the store closes; reconnects after a lost connection
    /// (meanwhile the dispatcher's polling finds the work, and remembered answers age out).
    /// (`listenToOtherNodes()` starts it; a distinct name, so that one cannot call itself.)
    private func runListener() async {
        while !Task.isCancelled {
            do {
                let connection = try await Lease<PostgresConnection>.answer(within: .seconds(5)) { [url, logger] in
                    try await ServerHealth.connect(url, logger: logger, checked: true)
                }
                defer { Task { try? await connection.close() } }
                try await withTaskCancellationHandler {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await _ in try await connection.listen(Self.outboxChannel) { self.outboxSignal.fire() }
                        }
                        group.addTask {
                            for try await _ in try await connection.listen(Self.settingsChannel) { self.countSettingsChange() }
                        }
                        try await group.waitForAll()
                    }
                } onCancel: {
                    Task { try? await connection.close() }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.debug("waiting to listen to other nodes again", metadata: ["error": "\(Self.storeError(error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Stops the pool; queries after this fail.
    public func close() async {
        if let task = listener.withLock({ $0 }) {
            task.cancel()
            _ = await task.value
        }
        for health in [primaryHealth] + replicaHealth { await health.stop() }
        for runner in runners {
            runner.cancel()
            _ = await runner.value
        }
    }

    private static func tls(_ mode: PostgresURL.TLSMode) -> PostgresClient.Configuration.TLS {
        var unchecked = TLSConfiguration.makeClientConfiguration()
        unchecked.certificateVerification = .none
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unchecked)
        case .require: return .require(unchecked)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    /// A new number on every call.
    var commitReads: UInt64 { commitReadCount.add(1, ordering: .relaxed).newValue }

    var settingsChangeCount: UInt64 { settingsChanges.load(ordering: .acquiring) }

    /// Counts a change to a tenant or a provider account, made here or heard of from another node.
    func countSettingsChange() {
        settingsChanges.add(1, ordering: .releasing)
    }

    /// Runs `change` to a tenant or a provider account, counts it whether or not it committed (a
    /// count too many only costs a read), and tells the other nodes (`listenToOtherNodes`).
    func changingSettings<T: Sendable>(_ change: () async throws -> T) async throws -> T {
        defer { countSettingsChange() }
        let result = try await change()
        // After the commit and best effort: a node that misses it reads again within the quarter
        // second (hooks) or ten seconds (custom domains) its answers are kept.
        _ = try? await run { c in try await c.run(PostgresQuery(unsafeSQL: "NOTIFY \(Self.settingsChannel)")) }
        return result
    }

    // MARK: Migrations

    /// Several nodes starting together migrate once: each takes this session-level advisory lock
    /// first, and whoever comes second finds nothing left to do.
    static let migrationLock: Int64 = 0x5761_796d_6172_6b01  // "Waymark" and 1

    /// Brings the schema up to date, applying each missing migration in its own transaction.
    /// Returns the ids applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await runTool { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: self.logger)
            do {
                let applied = try await self.applyMissingMigrations(connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
                throw error
            }
        }
    }

    private func applyMissingMigrations(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS waymark_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL)", logger: logger)
        var done = Set<String>()
        for try await id in try await connection.query("SELECT id FROM waymark_migration", logger: logger).decode(String.self) {
            done.insert(id)
        }
        let known = Set(PostgresSchema.migrations.map(\.id))
        if let unknown = done.subtracting(known).sorted().first {
            throw StoreError.storageUnavailable(
                "the database was migrated by a newer Waymark (migration '\(unknown)' is unknown here); run that version or newer")
        }
        var applied: [String] = []
        for migration in PostgresSchema.migrations where !done.contains(migration.id) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO waymark_migration (id, applied_at) VALUES (\(migration.id), \(Date()))", logger: self.logger)
            }
            applied.append(migration.id)
        }
        return applied
    }

    /// The migrations applied to this database, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await runTool { connection in
            var ids: [String] = []
            let rows = try await connection.query("SELECT id FROM waymark_migration ORDER BY applied_at, id", logger: self.logger)
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    // MARK: Running queries

    /// Runs one statement written by the operator's tools or the tests (`CREATE DATABASE`),
    /// never with values from a request.
    public func execute(unsafeSQL sql: String) async throws {
        try await runTool { connection in _ = try await connection.run(PostgresQuery(unsafeSQL: sql)) }
    }

    /// Runs an operator's step (a migration, `CREATE DATABASE`) for as long as it takes: unlike
    /// a request's, its time is not bounded.
    private func runTool<T: Sendable>(_ work: (PostgresConnection) async throws -> T) async throws -> T {
        try await primaryHealth.check()
        do {
            return try await client.withConnection { connection in try await work(connection) }
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Runs `work` on a pooled connection, with PostgreSQL's failures as `StoreError`s.
    @discardableResult
    func run<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await primaryHealth.check()
        return try await Self.leasing(client, primaryHealth, work)
    }

    /// How long a request waits for a pooled connection before it is answered as a storage
    /// fault (503 with `Retry-After`). postgres-nio's pool would keep it waiting while it retries
    /// a server that went away, for up to a minute.
    static let connectionWait: Duration = .seconds(10)

    /// How long a request may take on its connection before it is answered as a storage fault,
    /// should a driver or network fault leave it waiting for an answer that never comes; the
    /// stuck work is left to end when it may. Longer than any request's statements take.
    static let operationLimit: Duration = .seconds(30)

    /// How often a waiting request looks at the limits above and at the server's health.
    static let watchInterval: Duration = .milliseconds(100)

    /// Runs `work` on a connection of `pool`, waiting at most `connectionWait` for one and
    /// `operationLimit` in all, and no longer once `health` finds the server gone; failures as
    /// `StoreError`s. A request abandoned this way may still commit later; callers already treat
    /// a storage fault as "perhaps stored" (providers retry into the event-id check, API clients
    /// resend with an idempotency key).
    static func leasing<T: Sendable>(
        _ pool: PostgresClient, _ health: ServerHealth, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let lease = Lease<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                lease.start(continuation)
                let worker = Task {
                    do {
                        let value = try await pool.withConnection { connection in
                            lease.connection.withLock { $0 = connection }
                            return try await work(connection)
                        }
                        health.saw(answering: true)
                        lease.finish(.success(value))
                    } catch {
                        // A connection the server ended tells of a restart before the probe does.
                        if connectionLost(error) { health.saw(answering: false) }
                        lease.finish(.failure(storeError(error)))
                    }
                }
                let watchdog = Task {
                    let started = ContinuousClock.now
                    while (try? await Task.sleep(for: watchInterval)) != nil {
                        let fault: StoreError
                        let connection = lease.connection.withLock { $0 }
                        if !health.isAnswering {
                            // Found gone by the probe or another request: waiting on for a
                            // connection, or for an answer on one the server ended, would hold
                            // this request until a limit below while new ones get 503 at once.
                            fault = health.gone
                        } else if let connection, connection.isClosed {
                            // Ended by the server; postgres-nio does not always fail the
                            // statement that was waiting on it.
                            health.saw(answering: false)
                            fault = .storageUnavailable("PostgreSQL ended the connection")
                        } else if connection == nil, ContinuousClock.now - started >= connectionWait {
                            fault = .storageUnavailable("no PostgreSQL connection within \(connectionWait)")
                        } else if ContinuousClock.now - started >= operationLimit {
                            fault = .storageUnavailable("PostgreSQL did not answer within \(operationLimit)")
                        } else {
                            continue
                        }
                        lease.finish(.failure(fault))
                        worker.cancel()
                        return
                    }
                    // Cancelled: the work finished first.
                }
                lease.watch(worker: worker, watchdog: watchdog)
            }
        } onCancel: {
            lease.cancel()
        }
    }

    /// Runs a read that may be a moment behind the primary (a tracking page, a shopper's lookup)
    /// on the next replica, or on the primary when there is none or the replica cannot answer.
    func replicaRead<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let live = replicas.indices.filter { replicaHealth[$0].isAnswering }
        guard !live.isEmpty else { return try await run(work) }
        let index = live[Int(replicaTurn.add(1, ordering: .relaxed).oldValue % UInt64(live.count))]
        do {
            return try await Self.leasing(replicas[index], replicaHealth[index], work)
        } catch {
            guard let fault = error as? StoreError, fault.isStorageFault else { throw error }
            logger.warning("a replica could not answer; reading from the primary", metadata: ["error": "\(fault)"])
            return try await run(work)
        }
    }

    /// Whether reads that may go to a replica are served by one now (`pg_is_in_recovery()`),
    /// for the operator and the tests.
    public func pageReadsComeFromReplica() async throws -> Bool {
        try await replicaRead { c in try await c.run("SELECT pg_is_in_recovery()").required(Bool.self) }
    }

    /// Runs `work` in one transaction (`BEGIN` … `COMMIT`, rolled back whole if it throws).
    /// Written out rather than postgres-nio's `withTransaction`, which waits for good for the
    /// answer to its `ROLLBACK` on a connection the server has just ended (see
    /// `PostgresFaultTests`); such a connection has no transaction left to roll back.
    func transaction<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await primaryHealth.check()
        return try await Self.leasing(client, primaryHealth) { connection in
            try await connection.run("BEGIN")
            do {
                let value = try await work(connection)
                try await connection.run("COMMIT")
                return value
            } catch {
                if !Self.connectionLost(error) { _ = try? await connection.run("ROLLBACK") }
                throw error
            }
        }
    }

    /// Whether `error` says the connection itself is gone (closed, or ended by the server).
    static func connectionLost(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        default: return false
        }
    }

    /// The failures callers act on, as `StoreError`s: a full disk, and a server that cannot be
    /// reached or went away (503 with `Retry-After`, never 500). Anything else as it is.
    static func storeError(_ error: any Error) -> any Error {
        if let error = error as? PostgresTransactionError {
            return storeError(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        }
        if let error = error as? ConnectionPoolError, error != .requestCancelled {
            // The pool gave up opening connections (for a minute), or was shut down.
            return StoreError.storageUnavailable("PostgreSQL at \(error)")
        }
        guard let error = error as? PSQLError else { return error }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == PostgresError.Code.diskFull.raw { return StoreError.storageFull }
            // Class 08 (connection), 53 (resources), 57P (operator intervention: shutdown, restart).
            if state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") {
                return StoreError.storageUnavailable("PostgreSQL: \(error.serverInfo?[.message] ?? state)")
            }
            return error
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .sslUnsupported,
            .failedToAddSSLHandler:
            return StoreError.storageUnavailable("PostgreSQL at \(error.code): \(String(describing: error.underlying ?? error))")
        default:
            return error
        }
    }

    /// Whether `error` is PostgreSQL refusing a duplicate key (of `constraint`, when given).
    static func isUniqueViolation(_ error: any Error, constraint: String? = nil) -> Bool {
        let error = (error as? PostgresTransactionError)?.closureError ?? error
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw else { return false }
        return constraint == nil || error.serverInfo?[.constraintName] == constraint
    }
}

/// One bounded request on the pool: answered once, by the work or by its watchdog, whichever
/// comes first; the other is then cancelled.
final class Lease<T: Sendable>: Sendable {
    /// The pooled connection the work was given, once it was (`PostgresStore.leasing`).
    let connection = Mutex<PostgresConnection?>(nil)
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, tasks: [Task<Void, Never>], answered: Bool)>((nil, [], false))

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func watch(worker: Task<Void, Never>, watchdog: Task<Void, Never>) {
        let answered = state.withLock { state in
            state.tasks = [worker, watchdog]
            return state.answered
        }
        if answered { watchdog.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard !state.answered else { return (nil, []) }
            state.answered = true
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        guard let continuation else { return }
        // The watchdog has nothing left to watch (cancelling the task that is finishing is harmless).
        tasks.last?.cancel()
        continuation.resume(with: result)
    }

    func cancel() {
        finish(.failure(CancellationError()))
        state.withLock { $0.tasks }.forEach { $0.cancel() }
    }

    /// `work`'s answer, or a storage fault once `limit` has passed without one; work that never
    /// answers is left behind rather than waited for.
    static func answer(within limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let lease = Lease<T>()
        return try await withCheckedThrowingContinuation { continuation in
            lease.start(continuation)
            let worker = Task {
                do { lease.finish(.success(try await work())) } catch { lease.finish(.failure(error)) }
            }
            let watchdog = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                lease.finish(.failure(StoreError.storageUnavailable("no answer within \(limit)")))
                worker.cancel()
            }
            lease.watch(worker: worker, watchdog: watchdog)
        }
    }
}

extension PostgresConnection {
    /// Runs one statement, logging as the store does.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.query(query, logger: PostgresStore.queryLogger)
    }
}

extension PostgresStore {
    /// Statements log at trace level only (postgres-nio's own detail).
    static let queryLogger = Logger(label: "waymark.postgres.query")
}

extension PostgresRowSequence {
    /// The first column of the first row, which the statement always returns (`RETURNING id`).
    func required<T: PostgresDecodable>(_ type: T.Type) async throws -> T {
        guard let value = try await value(T.self) else { throw StoreError.storageUnavailable("PostgreSQL returned no row where one was due") }
        return value
    }
}
