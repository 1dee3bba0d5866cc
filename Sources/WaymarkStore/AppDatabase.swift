import Foundation
import GRDB
import WaymarkCore

/// The one door to Waymark's SQLite file. Each method keeps one invariant in one transaction,
/// and every method that touches merchant data takes the tenant id: there is no way to reach a
/// shipment, key or checkpoint by its id alone.
public struct AppDatabase: Sendable {
    let pool: DatabasePool
    /// The public addresses written into outgoing messages in the same transaction as the change.
    public let links: PublicLinks
    /// Rings after every commit that wrote deliveries.
    public let outboxSignal = OutboxSignal()
    /// Provider webhooks arriving together share a transaction (and a disk flush).
    let ingestCommits: GroupCommit<InboundOutcome>
    /// Which file was opened, to notice it being deleted or replaced under the running server.
    let openedFile: DatabaseFile?
    /// Counts this process's commits (`localCommits`).
    let commits = CommitCounter()
    /// Counts this process's commits that changed a tenant or a provider account (`localSettingsCommits`).
    let settingsCommits = CommitCounter(tables: ["tenant", "provider_account"])

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, links: PublicLinks = .local) throws {
        self.links = links
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Writers wait for each other instead of failing with SQLITE_BUSY.
        config.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: config)
        openedFile = DatabaseFile(path: path)
        pool.add(transactionObserver: commits, extent: .databaseLifetime)
        pool.add(transactionObserver: settingsCommits, extent: .databaseLifetime)
        ingestCommits = GroupCommit(pool: pool)
        // FULL makes every commit durable across power loss, which matters because a 2xx to a
        // provider means "we have it". Set after opening: the pool's WAL setup resets the
        // writer to NORMAL.
        // The WAL is copied back into the file once it holds 8,192 pages (32 MiB) rather than
        // SQLite's 1,000: under a stream of provider webhooks each group commit writes a few
        // hundred pages, so the default checkpointed (more writes, one more fsync) after nearly
        // every commit; a page rewritten by many commits is now copied back once.
        // The writer keeps up to 16 MiB of pages (SQLite's default is 2 MiB): ingest touches
        // pages all over the checkpoint and payload indexes, and once those outgrow the cache
        // every event reads some back from the file. (64 MiB read a little less again, but a
        // 100,000-row import then peaked at 128 MiB instead of 50.)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 8192; PRAGMA cache_size = -16384")
        }
        try Migrations.migrator.migrate(pool)
    }

    /// A fresh database in a temporary directory, for tests and benchmarks.
    public static func temporary(links: PublicLinks = .local) throws -> AppDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try AppDatabase(path: dir.appendingPathComponent("waymark.sqlite").path, links: links)
    }

    /// The path of the database file.
    public var path: String { pool.path }

    public var localCommits: UInt64 { commits.count }

    public var localSettingsCommits: UInt64 { settingsCommits.count }

    /// Writes run in `BEGIN IMMEDIATE` transactions (GRDB's default for a pool's writer), so a
    /// write never upgrades a read lock and deadlocks into SQLITE_BUSY.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw Self.storeError(error)
        }
    }

    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// SQLite's errors that callers act on, as `StoreError`s (a full disk or a read-only or
    /// failing file is a 503, not a 500); the rest as they are. The transaction that failed has
    /// been rolled back whole.
    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_FULL: return StoreError.storageFull
        case .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError.storageUnavailable("SQLite: \(error.message ?? error.resultCode.description)")
        default: return error
        }
    }

    /// The pragmas in force on the writer connection, for the operator and the tests.
    public func pragmas() async throws -> [String: String] {
        try await pool.write { db in
            var result: [String: String] = [:]
            for name in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "wal_autocheckpoint", "cache_size"] {
                result[name] = try String.fetchOne(db, sql: "PRAGMA \(name)")
            }
            return result
        }
    }
}


/// SQLite keeps everything: `AppDatabase` is the one implementation of every storage protocol.
extension AppDatabase: TenantStore, ShipmentStore, IdempotencyStore, IngestStore, SubscriptionStore, TemplateStore, WebhookEndpointStore, DeliveryStore,
    RegistrationJobStore, MaintenanceStore, AccountStore, AuditStore, APIKeyStore, SupportStore {}
