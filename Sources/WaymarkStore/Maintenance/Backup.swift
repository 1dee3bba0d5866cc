import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Online backups and restores of the SQLite file. A backup is `VACUUM INTO` on a read
/// connection: one consistent snapshot (WAL readers see the last commit and never block the
/// writer), written compact to a new file, checked with `PRAGMA integrity_check`, and only then
/// renamed to its name, so a backup file that exists is a whole one.
public struct BackupReport: Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    /// The schema the copy has: the last migration applied.
    public var schema: String
    public var tenants: Int
    public var shipments: Int
}

public enum BackupError: Error, CustomStringConvertible, Equatable {
    case exists(String)
    case damaged(String, problem: String)
    case notWaymark(String)
    case newerSchema(String, migration: String)

    public var description: String {
        switch self {
        case .exists(let path): "'\(path)' already exists; choose a new name, or remove it first"
        case .damaged(let path, let problem): "'\(path)' fails SQLite's integrity check: \(problem)"
        case .notWaymark(let path): "'\(path)' is not a Waymark database (not SQLite, or without Waymark's migrations)"
        case .newerSchema(let path, let migration): "'\(path)' has migration '\(migration)', which this waymark does not know; use a newer waymark"
        }
    }
}

extension AppDatabase {
    /// Copies the database, as of one moment, to `path` (a new file) while the server runs.
    public func backup(to path: String) async throws -> BackupReport {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.exists(path) }
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            // Outside a transaction (SQLite refuses VACUUM in one); the statement reads one snapshot.
            try await pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
            let report = try Self.inspect(partial, reportingAs: path)
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return report
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Puts the backup at `backup` in place of the database at `path`, which no server may have
    /// open. The backup is checked first; the copy is written beside the target, flushed, and
    /// renamed over it, and the target's old WAL files go, so the result is the backup or the
    /// old database, never a mix. The copy is then brought up to this version's schema.
    public static func restore(from backup: String, to path: String) throws -> BackupReport {
        _ = try inspect(backup, reportingAs: backup)
        let partial = path + ".restoring"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try FileManager.default.copyItem(atPath: backup, toPath: partial)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: partial))
            try handle.synchronize()
            try handle.close()
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            // rename(2) replaces the target in one step.
            guard rename(partial, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(.init(rawValue: errno) ?? .EIO)])
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        _ = try AppDatabase(path: path)
        return try inspect(path, reportingAs: path)
    }

    /// Opens `file` read-only and checks that it is a whole Waymark database this version can run.
    static func inspect(_ file: String, reportingAs name: String) throws -> BackupReport {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            defer { try? queue.close() }
            return try check(queue, file: file, name: name)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw BackupError.notWaymark(name)
        }
    }

    private static func check(_ queue: DatabaseQueue, file: String, name: String) throws -> BackupReport {
        try queue.read { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard problems == ["ok"] else { throw BackupError.damaged(name, problem: problems.prefix(3).joined(separator: "; ")) }
            guard try db.tableExists("grdb_migrations") else { throw BackupError.notWaymark(name) }
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let known = Set(Migrations.all.map(\.identifier))
            guard let last = Migrations.all.last(where: { applied.contains($0.identifier) })?.identifier else { throw BackupError.notWaymark(name) }
            if let unknown = applied.first(where: { !known.contains($0) }) { throw BackupError.newerSchema(name, migration: unknown) }
            let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber
            return BackupReport(
                path: name, bytes: size?.int64Value ?? 0, schema: last,
                tenants: try Int.fetchOne(db, sql: "SELECT count(*) FROM tenant") ?? 0,
                shipments: try Int.fetchOne(db, sql: "SELECT count(*) FROM shipment") ?? 0)
        }
    }
}
