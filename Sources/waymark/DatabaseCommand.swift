import ArgumentParser
import Foundation
import Synchronization
import WaymarkCore
import WaymarkStore

/// `waymark db`: moving an install between storage backends.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Move an install between storage backends.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole SQLite install into an empty PostgreSQL database (resumable; --verify checks it).",
            discussion: """
                The SQLite file is copied as of one moment (the server may keep running; what it writes afterwards is not moved: \
                stop it for the final copy). Run the same command again to resume an interrupted copy. --verify compares every \
                table's row count and checksum on both sides, after copying (or alone, once copied).
                """)

        @Option(help: "The SQLite database file to copy.")
        var from: String

        @Option(help: "The PostgreSQL database to copy into (postgres://…), empty or holding this copy's unfinished run.")
        var to: String

        @Flag(help: "Compare row counts and checksums of every table afterwards; exit 1 on any difference.")
        var verify = false

        @Option(help: "Rows per transaction.")
        var batch = 1_000

        func run() async throws {
            guard case .postgres(let url) = try location(to) else {
                throw CLIError("--to must be a postgres:// URL, like postgres://waymark@db:5432/waymark")
            }
            guard (1...50_000).contains(batch) else { throw CLIError("--batch must be from 1 to 50000 rows, like 1000") }
            let store = PostgresStore(url: url, connections: 2)
            do {
                try await copy(into: store, url: url)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }

        private func copy(into store: PostgresStore, url: PostgresURL) async throws {
            let copy = DatabaseCopy(source: from, target: store)
            let bar = Mutex(ProgressBar(total: nil, enabled: isatty(STDERR_FILENO) == 1))
            let report: DatabaseCopy.Report
            let started = ContinuousClock.now
            do {
                report = try await copy.run(batchSize: batch) { progress in
                    bar.withLock { bar in
                        if bar.total != progress.allTotal { bar = ProgressBar(total: progress.allTotal, enabled: bar.enabled) }
                        bar.done = progress.allCopied
                        bar.update(rows: progress.allCopied, label: "\(progress.table) \(progress.copied.grouped)/\(progress.total.grouped)")
                    }
                }
                bar.withLock { $0.clear() }
            } catch let error as DatabaseCopy.CopyError {
                bar.withLock { $0.clear() }
                throw CLIError(error.description)
            } catch {
                bar.withLock { $0.clear() }
                throw CLIError("copying '\(from)' to \(url) stopped: \(error); run the same command again to resume")
            }
            let seconds = Double((ContinuousClock.now - started).components.seconds)
            var line = "Copied \(report.rows.grouped) rows of \(report.tables) tables from \(from) to \(url) in \(Int(seconds)) s"
            if report.resumedRows > 0 { line += " (\(report.resumedRows.grouped) of them by an earlier run)" }
            print(line)
            guard verify else { return }
            let checks = try await copy.verify()
            for check in checks {
                let mark = check.matches ? "ok" : "DIFFERS"
                print("  \(check.table.padding(toLength: 22, withPad: " ", startingAt: 0)) \(check.sourceRows.grouped) / \(check.targetRows.grouped) rows  \(mark)")
            }
            let differing = checks.filter { !$0.matches }.map(\.table)
            guard differing.isEmpty else { throw CLIError(DatabaseCopy.CopyError.mismatch(differing).description) }
            print("Verified: every table's rows and checksum match")
        }

        private func location(_ text: String) throws -> DatabaseLocation {
            do { return try DatabaseLocation(text) } catch { throw CLIError(error.description) }
        }
    }
}
