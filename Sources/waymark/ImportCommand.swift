import ArgumentParser
import Foundation
import WaymarkCore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Register shipments from a CSV file, with a progress bar and a per-row error report.",
        discussion: """
            The first row names the columns, in any order and any case: \
            \(ShipmentCSV.Column.allCases.map(\.rawValue).joined(separator: ", ")). Only tracking_number \
            is required; other columns are ignored with a warning. A shipment that already exists \
            (same carrier and tracking number) is left unchanged, so importing a file again is safe.

            Exit status: 0 when every row was imported or already there, 1 when some rows failed \
            (the others are saved), 2 when the file cannot be imported at all.
            """)

    @Option(help: "The tenant's slug.") var tenant: String
    @Argument(help: "The CSV file (UTF-8, comma-separated, RFC 4180 quoting).") var file: String
    @Flag(help: "Print {\"created\", \"unchanged\", \"failed\", \"warnings\", \"errors\"} as JSON.") var json = false
    @OptionGroup var database: DatabaseOptions

    static let chunkSize = 64 * 1024

    func run() async throws {
        let report: ImportReport
        do {
            report = try await importFile()
        } catch {
            // One line, and a status apart from "some rows failed": nothing could be imported
            // from here on.
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            try printJSON(report)
        } else {
            print(report.text)
        }
        if report.failed > 0 { throw ExitCode.failure }
    }

    private func importFile() async throws -> ImportReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw CLIError("cannot read '\(file)': no such file")
        }
        guard !isDirectory.boolValue else { throw CLIError("cannot read '\(file)': it is a directory") }
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)) } catch {
            throw CLIError("cannot read '\(file)': \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var status = stat()
        let fileSize = fstat(handle.fileDescriptor, &status) == 0 ? Int(status.st_size) : nil

        let db = try await database.open()
        guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }

        var progress = ProgressBar(total: fileSize, enabled: isatty(STDERR_FILENO) == 1)
        // Whatever ends the import, the summary or the error starts on a clean line.
        defer { progress.clear() }
        var importer = ShipmentImport(database: db, tenantID: found.id)
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: Self.chunkSize) } catch {
                throw CLIError(ShipmentImport.Stopped(problem: "reading '\(file)' failed: \(error.localizedDescription)", summary: importer.summary).description)
            }
            guard let chunk, !chunk.isEmpty else { break }
            progress.done += chunk.count
            try await importer.feed(chunk)
            progress.update(rows: importer.summary.rows)
        }
        let summary = try await importer.finish()
        return ImportReport(source: file, summary: summary, seconds: progress.elapsedSeconds)
    }
}

/// What `waymark import` prints: the summary, where from and how fast.
struct ImportReport: Encodable {
    let source: String
    let summary: ShipmentImport.Summary
    let seconds: Double

    var failed: Int { summary.failed }

    func encode(to encoder: any Encoder) throws { try summary.encode(to: encoder) }

    var text: String {
        let rows = summary.rows
        let rate = seconds > 0 ? " (\(Int((Double(rows) / seconds).rounded()).grouped) rows/s)" : ""
        var lines = [
            "Imported \(rows.grouped) rows from \(source) in \(String(format: "%.1f", seconds)) s\(rate)",
            "  created    \(summary.created.grouped)",
            "  unchanged  \(summary.unchanged.grouped)",
            "  failed     \(summary.failed.grouped)",
            "  warnings   \(summary.warnings.count.grouped)",
        ]
        if !summary.warnings.isEmpty {
            lines += ["", "Warnings:"] + summary.warnings.map { "  \($0)" }
        }
        let errors = summary.errors
        if !errors.isEmpty {
            let rowWidth = errors.map { "row \($0.row)".count }.max() ?? 0
            let fieldWidth = errors.map { ($0.field ?? "-").count }.max() ?? 0
            lines += ["", "Errors (row, column, reason):"]
            lines += errors.map { error in
                "  " + "row \(error.row)".padded(to: rowWidth) + "  " + (error.field ?? "-").padded(to: fieldWidth) + "  " + error.reason
            }
            if summary.errorsNotListed > 0 { lines.append("  ... and \(summary.errorsNotListed.grouped) more errors not listed") }
        }
        return lines.joined(separator: "\n")
    }
}

extension Int {
    /// 12345 as "12,345": counts in a report read at a glance.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}

extension String {
    fileprivate func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
