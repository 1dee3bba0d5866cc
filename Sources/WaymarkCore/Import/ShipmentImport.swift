import Foundation

/// A CSV import in progress: bytes in (in chunks of any size), shipments saved in batches, and a
/// running summary. `waymark import` and `POST /api/v1/shipments/import` both drive one, so a
/// file imports the same way from either.
public struct ShipmentImport: Sendable {
    /// The tallies of one import, and the row errors to show, capped so that a file of nothing
    /// but bad rows cannot fill the memory.
    public struct Summary: Sendable, Equatable, Encodable {
        public static let listedErrorLimit = 10_000

        public var created = 0
        public var unchanged = 0
        public var failed = 0
        public var warnings: [String] = []
        public var errors: [ImportRowError] = []
        public var errorsNotListed = 0

        public var rows: Int { created + unchanged + failed }

        mutating func fail(_ rowErrors: [ImportRowError]) {
            failed += 1
            let room = max(0, Self.listedErrorLimit - errors.count)
            errors += rowErrors.prefix(room)
            errorsNotListed += max(0, rowErrors.count - room)
        }

        enum CodingKeys: String, CodingKey {
            case created, unchanged, failed, warnings, errors
            case errorsNotListed = "errors_not_listed"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(created, forKey: .created)
            try container.encode(unchanged, forKey: .unchanged)
            try container.encode(failed, forKey: .failed)
            try container.encode(warnings, forKey: .warnings)
            try container.encode(errors.map(RowErrorOutput.init), forKey: .errors)
            try container.encode(errorsNotListed, forKey: .errorsNotListed)
        }

        private struct RowErrorOutput: Encodable {
            let error: ImportRowError

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(error.row, forKey: .row)
                // Always present: null says the row as a whole is wrong.
                try container.encode(error.field, forKey: .field)
                try container.encode(error.reason, forKey: .reason)
            }

            enum CodingKeys: String, CodingKey { case row, field, reason }
        }
    }

    /// Why an import stopped early. The rows before the problem were saved; `summary` counts them.
    public struct Stopped: Error, CustomStringConvertible {
        public let problem: String
        public let summary: Summary

        public init(problem: String, summary: Summary) {
            self.problem = problem
            self.summary = summary
        }

        public var description: String {
            guard summary.rows > 0 else { return problem }
            return "\(problem); the rows before it were saved (\(summary.created) created, \(summary.unchanged) unchanged, \(summary.failed) failed), so the file can be fixed and imported again"
        }
    }

    /// Rows per transaction: big enough to amortize the commit, small enough that the server's
    /// other writers never wait long.
    public static let batchSize = 500

    let database: any ShipmentStore
    let tenantID: Int64
    let now: @Sendable () -> Date
    private var reader = ShipmentCSVReader()
    private var pending: [NewShipment] = []
    public private(set) var summary = Summary()

    public init(database: any ShipmentStore, tenantID: Int64, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.tenantID = tenantID
        self.now = now
        pending.reserveCapacity(Self.batchSize)
    }

    /// Reads the next bytes of the file.
    public mutating func feed(_ chunk: some Sequence<UInt8>) async throws(Stopped) {
        let rows: [ShipmentCSV.Row]
        do { rows = try reader.read(chunk) } catch { try await stop(error.description) }
        try await take(rows)
    }

    /// Reads what is left, saves the last batch and returns the summary.
    public mutating func finish() async throws(Stopped) -> Summary {
        let rows: [ShipmentCSV.Row]
        do { rows = try reader.finish() } catch { try await stop(error.description) }
        try await take(rows)
        try await save()
        summary.warnings = reader.warnings
        return summary
    }

    private mutating func take(_ rows: [ShipmentCSV.Row]) async throws(Stopped) {
        for row in rows {
            switch row {
            case .valid(_, let shipment):
                pending.append(shipment)
                if pending.count >= Self.batchSize { try await save() }
            case .invalid(_, let errors):
                summary.fail(errors)
            }
        }
    }

    private mutating func save() async throws(Stopped) {
        guard !pending.isEmpty else { return }
        do {
            for outcome in try await database.importShipments(tenantID: tenantID, pending, now: now()) {
                switch outcome {
                case .created: summary.created += 1
                case .unchanged: summary.unchanged += 1
                }
            }
        } catch {
            throw Stopped(problem: "saving rows failed: \(error)", summary: summary)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The rows before a broken one are good: keep them, then stop.
    private mutating func stop(_ problem: String) async throws(Stopped) -> Never {
        try await save()
        summary.warnings = reader.warnings
        throw Stopped(problem: problem, summary: summary)
    }
}
