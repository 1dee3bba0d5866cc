import ArgumentParser
import Foundation
import WaymarkStore

/// `waymark backup PATH`: a consistent copy of the database while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database, as of one moment, to a new file while the server keeps running; the copy is integrity-checked.")

    @Argument(help: "Where to write the backup (a new file).") var path: String
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let source = try database.sqlitePath(for: "backup")
        guard FileManager.default.fileExists(atPath: source) else { throw CLIError("no database at '\(source)'; give --db or WAYMARK_DB") }
        let started = Date()
        let report: BackupReport
        do {
            report = try await AppDatabase(path: source).backup(to: path)
        } catch let error as BackupError {
            throw CLIError(error.description)
        }
        print("Backed up \(source) to \(report.path): \(report.bytes) bytes, schema \(report.schema), \(report.tenants) tenant(s), "
            + "\(report.shipments) shipment(s), integrity ok, in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
    }
}

/// `waymark restore BACKUP`: puts a backup in place of the database; the server must be stopped.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with a backup (stop the server first); the backup is checked before anything changes.")

    @Argument(help: "The backup file, as `waymark backup` wrote it.") var backup: String
    @Flag(help: "Restore although the database has a write-ahead log, as after a crash (a running server has one too).")
    var force = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let target = try database.sqlitePath(for: "restore")
        guard FileManager.default.fileExists(atPath: backup) else { throw CLIError("no backup at '\(backup)'") }
        let wal = target + "-wal"
        if !force, let size = (try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? NSNumber, size.int64Value > 0 {
            throw CLIError("'\(target)' has a write-ahead log, so a server may have it open: stop the server, or give --force after a crash")
        }
        do {
            let report = try AppDatabase.restore(from: backup, to: target)
            print("Restored \(backup) to \(report.path): schema \(report.schema), \(report.tenants) tenant(s), \(report.shipments) shipment(s), integrity ok")
        } catch let error as BackupError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("cannot restore '\(backup)' to '\(target)': \(error)")
        }
    }
}
