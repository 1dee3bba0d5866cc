import ArgumentParser
import Foundation
import Logging
import WaymarkCore
import WaymarkStore

/// `waymark`: one binary for the server and the operator's commands.
@main
struct Waymark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Self-hosted shipment tracking: branded tracking pages and proactive updates.",
        subcommands: [
            Serve.self, Migrate.self, TenantCommand.self, ShipmentCommand.self, ImportCommand.self, ProviderCommand.self, Detect.self,
            Replay.self, TemplateCommand.self, Backup.self, Restore.self, DatabaseCommand.self,
        ])
}

/// Options every command shares. Flags win over environment variables, which win over defaults.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite database file or postgres:// URL (env WAYMARK_DB; default ./waymark.sqlite).")
    var db: String?

    @Option(help: "PostgreSQL connections this process may open to each server (env WAYMARK_DB_POOL; default 10).")
    var dbPool: Int?

    /// What `--db` names, as given (a URL's password included: print `location` instead).
    var text: String { db ?? Environment.string("WAYMARK_DB") ?? "./waymark.sqlite" }

    var location: DatabaseLocation {
        get throws {
            do { return try DatabaseLocation(text) } catch { throw CLIError(error.description) }
        }
    }

    /// The SQLite file, for the commands that only SQLite has (backup, restore).
    func sqlitePath(for command: String) throws -> String {
        guard case .sqlite(let path) = try location else {
            throw CLIError("`waymark \(command)` copies a SQLite file; back up PostgreSQL with pg_dump, pg_basebackup or your provider's backups")
        }
        return path
    }

    var pool: Int {
        get throws {
            guard let text = dbPool.map(String.init) ?? Environment.string("WAYMARK_DB_POOL") else { return 10 }
            guard let size = Int(text), (1...500).contains(size) else {
                throw CLIError("the PostgreSQL pool size '\(text)' must be a number of connections from 1 to 500, like 10")
            }
            return size
        }
    }

    /// The streaming replicas that serve page reads (`WAYMARK_DB_READ`, comma-separated URLs).
    var replicas: [PostgresURL] {
        get throws {
            guard let text = Environment.string("WAYMARK_DB_READ") else { return [] }
            return try text.split(separator: ",").map { (item: Substring) in
                do { return try PostgresURL(String(item).trimmingCharacters(in: .whitespaces)) } catch {
                    throw CLIError("WAYMARK_DB_READ: \(error)")
                }
            }
        }
    }
}

enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// A number of seconds of at least `minimum` (and at most a day), or nil when unset.
    static func seconds(_ name: String, from minimum: Double, example: Int) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let seconds = Double(text), seconds >= minimum, seconds <= 86_400 else {
            throw CLIError("\(name) '\(text)' must be a number of seconds from \(String(format: "%g", minimum)) to 86400, like \(example)")
        }
        return seconds
    }
}

/// A command-line failure: one line on stderr saying what is wrong and how to fix it.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func bootstrapLogging() {
    let level = Environment.string("WAYMARK_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
    LoggingSystem.bootstrap { label in
        LineLogHandler(label: label, writer: LogWriter.standardError, logLevel: level)
    }
}
