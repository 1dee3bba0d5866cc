import Crypto
import Foundation
import GRDB
import PostgresNIO
import WaymarkCore

/// `waymark db copy`: moves a whole SQLite install into an empty PostgreSQL database.
///
/// The SQLite file is first copied as of one moment (`VACUUM INTO`, the online backup, so the
/// server may keep running; what it writes afterwards is not moved). That snapshot, kept beside
/// the source as `<source>.copy-snapshot`, is then streamed table by table, parents before
/// children, in batches; each batch commits together with the copy's progress
/// (`waymark_copy`), so an interrupted copy resumes after its last committed batch, from the
/// same snapshot. A target that holds Waymark rows and no progress of this copy is refused.
/// Identity sequences are moved past the copied ids at the end, and `verify` compares every
/// table's row count and checksum on both sides.
public struct DatabaseCopy: Sendable {
    public let source: String
    public let target: PostgresStore

    /// Tables in an order that puts every row after the rows it refers to.
    static let tables = [
        "tenant", "user", "membership", "api_key", "shipment", "subscription", "provider_account", "idempotency_key", "webhook_endpoint",
        "suppression", "checkpoint", "registration_job", "inbound_event", "delivery", "delivery_attempt", "message_template", "admin_session",
        "password_reset", "invitation", "audit_entry", "shipment_view", "page_view_day", "page_section", "template_version", "tenant_logo",
        "provider_activity", "domain_claim", "after_delivery_link", "after_delivery_click",
    ]

    public init(source: String, target: PostgresStore) {
        self.source = source
        self.target = target
    }

    /// How far one table's copy is.
    public struct Progress: Sendable {
        public var table: String
        public var copied: Int
        public var total: Int
        /// Rows of all tables copied so far, and in all.
        public var allCopied: Int
        public var allTotal: Int
    }

    public struct Report: Sendable {
        public var rows: Int
        public var tables: Int
        /// Rows copied by an earlier, interrupted run.
        public var resumedRows: Int
    }

    public enum CopyError: Error, CustomStringConvertible, Equatable {
        case targetNotEmpty(table: String)
        case otherCopy(String)
        case noSource(String)
        case mismatch([String])

        public var description: String {
            switch self {
            case .targetNotEmpty(let table):
                "the target database already holds Waymark data (table '\(table)' has rows); copy into a new, empty database"
            case .otherCopy(let source):
                "the target holds a copy of '\(source)'; resume or verify it with that --from, or copy into a new, empty database"
            case .noSource(let path): "no SQLite database at '\(path)'"
            case .mismatch(let tables): "the copy differs from the source in: \(tables.joined(separator: ", "))"
            }
        }
    }

    var snapshotPath: String { source + ".copy-snapshot" }

    /// Copies everything not yet copied; `progress` is called after every batch.
    public func run(batchSize: Int = 1_000, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        guard FileManager.default.fileExists(atPath: source) else { throw CopyError.noSource(source) }
        try await target.migrate()
        try await target.execute(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS waymark_copy (
                table_name text PRIMARY KEY, source text NOT NULL, position bigint NOT NULL, rows bigint NOT NULL, done boolean NOT NULL)
            """)
        let started = try await startedCopy()
        if let started, started != source { throw CopyError.otherCopy(started) }
        if started == nil {
            for table in Self.tables where try await count(table) > 0 { throw CopyError.targetNotEmpty(table: table) }
            try? FileManager.default.removeItem(atPath: snapshotPath)
        }
        var finished = true
        for table in Self.tables where try await !tableProgress(table).done { finished = false }
        if !finished && !FileManager.default.fileExists(atPath: snapshotPath) {
            // Brought up to this version's schema first, so its columns are the target's.
            _ = try await AppDatabase(path: source).backup(to: snapshotPath)
        }
        // A finished copy reads nothing more: the source itself stands in for the removed snapshot.
        let snapshot = try DatabaseQueue(path: finished ? source : snapshotPath, configuration: Self.readOnly)
        let totals = try await snapshot.read { db in
            try Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, try Int.fetchOne(db, sql: "SELECT count(*) FROM \(Self.quoted($0))") ?? 0) })
        }
        let allTotal = totals.values.reduce(0, +)
        var allCopied = 0
        var resumed = 0
        for table in Self.tables {
            let columns = try await targetColumns(table)
            let rowID = try await snapshot.read { db in try Self.hasRowID(db, table) }
            var (position, copied, done) = try await tableProgress(table)
            resumed += copied
            allCopied += copied
            while !done {
                let perBatch = max(1, min(batchSize, 60_000 / max(1, columns.count)))
                let after = position
                let rows = try await snapshot.read { db in
                    try Self.batch(db, table: table, columns: columns, rowID: rowID, after: after, limit: perBatch)
                }
                position = rows.last?.position ?? position
                copied += rows.count
                done = rows.count < perBatch
                let (at, count, finished) = (position, copied, done)
                try await target.transaction { c in
                    if !rows.isEmpty { try await c.run(Self.insert(table, columns: columns, rows: rows.map(\.values))) }
                    try await c.run("""
                        INSERT INTO waymark_copy (table_name, source, position, rows, done) VALUES (\(table), \(source), \(at), \(count), \(finished))
                        ON CONFLICT (table_name) DO UPDATE SET position = excluded.position, rows = excluded.rows, done = excluded.done
                        """)
                }
                allCopied += rows.count
                progress(Progress(table: table, copied: copied, total: totals[table] ?? copied, allCopied: allCopied, allTotal: allTotal))
            }
        }
        // Identity columns go on after the copied ids.
        for table in Self.tables where try await targetColumns(table).contains(where: { $0.name == "id" && $0.type == "bigint" }) {
            try await target.execute(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('\(Self.quoted(table))', 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM \(Self.quoted(table)))))
                """)
        }
        try? FileManager.default.removeItem(atPath: snapshotPath)
        return Report(rows: allCopied, tables: Self.tables.count, resumedRows: resumed)
    }

    /// One table's rows and checksum on each side.
    public struct TableCheck: Sendable, Equatable {
        public var table: String
        public var sourceRows: Int
        public var targetRows: Int
        public var sourceChecksum: String
        public var targetChecksum: String
        public var matches: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }
    }

    /// Compares every table of the source (as it is now) with the target: row counts, and a
    /// checksum of every row's values (order-independent, so the two engines' orderings of text
    /// do not matter). Rows written to the source since the copy show up as differences.
    public func verify() async throws -> [TableCheck] {
        guard FileManager.default.fileExists(atPath: source) else { throw CopyError.noSource(source) }
        let reader = try DatabaseQueue(path: source, configuration: Self.readOnly)
        var checks: [TableCheck] = []
        for table in Self.tables {
            let columns = try await targetColumns(table)
            let sourceSum = try await reader.read { db in
                var sum = RowChecksum()
                let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns.map { Self.quoted($0.name) }.joined(separator: ", ")) FROM \(Self.quoted(table))")
                while let row = try cursor.next() {
                    sum.add(try columns.enumerated().map { index, column in try column.value(sqlite: row[index]) })
                }
                return sum
            }
            let targetSum = try await target.run { c in
                var sum = RowChecksum()
                let rows = try await c.run(PostgresQuery(unsafeSQL: "SELECT \(columns.map { Self.quoted($0.name) }.joined(separator: ", ")) FROM \(Self.quoted(table))"))
                for try await row in rows {
                    let cells = Array(row)
                    sum.add(try columns.enumerated().map { index, column in try column.value(postgres: cells[index]) })
                }
                return sum
            }
            checks.append(TableCheck(
                table: table, sourceRows: sourceSum.rows, targetRows: targetSum.rows, sourceChecksum: sourceSum.hex, targetChecksum: targetSum.hex))
        }
        return checks
    }

    // MARK: Parts

    static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    private func startedCopy() async throws -> String? {
        try await target.run { c in try await c.run("SELECT source FROM waymark_copy LIMIT 1").value(String.self) }
    }

    private func count(_ table: String) async throws -> Int {
        try await target.run { c in try await c.run(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(Self.quoted(table))")).value(Int.self) ?? 0 }
    }

    private func tableProgress(_ table: String) async throws -> (position: Int64, rows: Int, done: Bool) {
        try await target.run { c in
            for try await (position, rows, done) in try await c.run(
                "SELECT position, rows, done FROM waymark_copy WHERE table_name = \(table)").decode((Int64, Int, Bool).self)
            {
                return (position, rows, done)
            }
            return (0, 0, false)
        }
    }

    /// The target table's columns, in order, with their PostgreSQL types.
    private func targetColumns(_ table: String) async throws -> [CopiedColumn] {
        try await target.run { c in
            var columns: [CopiedColumn] = []
            for try await (name, type) in try await c.run("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
                """).decode((String, String).self)
            {
                columns.append(CopiedColumn(table: table, name: name, type: type))
            }
            return columns
        }
    }

    private static func hasRowID(_ db: Database, _ table: String) throws -> Bool {
        // A WITHOUT ROWID table has no rowid column to select.
        (try? Row.fetchOne(db, sql: "SELECT rowid FROM \(quoted(table)) LIMIT 1")) != nil
    }

    /// Up to `limit` rows after `position`: by rowid where the table has one, else by offset
    /// in primary-key order.
    private static func batch(
        _ db: Database, table: String, columns: [CopiedColumn], rowID: Bool, after position: Int64, limit: Int
    ) throws -> [(position: Int64, values: [CopiedValue])] {
        let names = columns.map { quoted($0.name) }.joined(separator: ", ")
        let rows: [Row]
        if rowID {
            rows = try Row.fetchAll(db, sql: "SELECT rowid, \(names) FROM \(quoted(table)) WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [position, limit])
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT 0, \(names) FROM \(quoted(table)) ORDER BY 2, 3 LIMIT ? OFFSET ?", arguments: [limit, position])
        }
        return try rows.enumerated().map { index, row in
            let values = try columns.enumerated().map { column in try column.element.value(sqlite: row[column.offset + 1]) }
            return (rowID ? row[0] : position + Int64(index) + 1, values)
        }
    }

    private static func insert(_ table: String, columns: [CopiedColumn], rows: [[CopiedValue]]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for row in rows {
            var marks: [String] = []
            for value in row {
                try value.bind(&bindings)
                marks.append("$\(bindings.count)")
            }
            tuples.append("(\(marks.joined(separator: ", ")))")
        }
        let names = columns.map { quoted($0.name) }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO \(quoted(table)) (\(names)) VALUES \(tuples.joined(separator: ", "))", binds: bindings)
    }
}

/// A column being copied, and how its values read on each side.
struct CopiedColumn: Sendable {
    let table: String
    let name: String
    /// `information_schema.columns.data_type`.
    let type: String

    func value(sqlite value: DatabaseValue) throws -> CopiedValue {
        if value.isNull { return .null }
        switch type {
        case "timestamp with time zone":
            guard let date = Date.fromDatabaseValue(value) else { throw unreadable("a date") }
            return .date(date)
        case "boolean":
            guard let flag = Bool.fromDatabaseValue(value) else { throw unreadable("0 or 1") }
            return .bool(flag)
        case "bigint", "integer":
            guard let number = Int64.fromDatabaseValue(value) else { throw unreadable("an integer") }
            return .integer(number)
        case "bytea":
            guard let bytes = Data.fromDatabaseValue(value) else { throw unreadable("bytes") }
            return .bytes(bytes)
        default:
            guard let text = String.fromDatabaseValue(value) else { throw unreadable("text") }
            return .text(text)
        }
    }

    func value(postgres cell: PostgresCell) throws -> CopiedValue {
        if cell.bytes == nil { return .null }
        switch type {
        case "timestamp with time zone": return .date(try cell.decode(Date.self))
        case "boolean": return .bool(try cell.decode(Bool.self))
        case "bigint", "integer": return .integer(try cell.decode(Int64.self))
        case "bytea": return .bytes(try cell.decode(Data.self))
        default: return .text(try cell.decode(String.self))
        }
    }

    private func unreadable(_ expected: String) -> StoredValueError {
        StoredValueError(table: table, column: name, rowID: "?", problem: "expected \(expected)")
    }
}

enum CopiedValue: Sendable {
    case null, text(String), integer(Int64), bool(Bool), date(Date), bytes(Data)

    func bind(_ bindings: inout PostgresBindings) throws {
        switch self {
        case .null: bindings.appendNull()
        case .text(let text): bindings.append(text)
        case .integer(let number): bindings.append(number)
        case .bool(let flag): bindings.append(flag)
        case .date(let date): bindings.append(date)
        case .bytes(let bytes): try bindings.append(bytes)
        }
    }

    /// One canonical text for the checksum, the same from either engine: dates to the
    /// millisecond both keep, bytes in hex, text with its length so values cannot run together.
    var canonical: String {
        switch self {
        case .null: "N"
        case .text(let text): "T\(text.utf8.count):\(text)"
        case .integer(let number): "I\(number)"
        case .bool(let flag): flag ? "B1" : "B0"
        case .date(let date): "D\(Int64((date.timeIntervalSince1970 * 1000).rounded()))"
        case .bytes(let bytes): "X" + bytes.map { String(format: "%02x", $0) }.joined()
        }
    }
}

/// An order-independent checksum of a table: the SHA-256 of each row's values, added up lane by
/// lane (rows are distinct by their primary key, so none cancel out).
struct RowChecksum: Sendable {
    private(set) var rows = 0
    private var lanes = [UInt64](repeating: 0, count: 4)

    mutating func add(_ values: [CopiedValue]) {
        rows += 1
        let digest = Array(SHA256.hash(data: Data(values.map(\.canonical).joined(separator: "|").utf8)))
        for lane in 0..<4 {
            var word: UInt64 = 0
            for byte in digest[(lane * 8)..<(lane * 8 + 8)] { word = word << 8 | UInt64(byte) }
            lanes[lane] &+= word
        }
    }

    var hex: String { lanes.map { String(format: "%016llx", $0) }.joined() }
}
