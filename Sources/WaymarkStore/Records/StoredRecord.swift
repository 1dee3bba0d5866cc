import GRDB

/// A `Codable` record of one table, decoded by GRDB's `Codable` support (or, on the hottest
/// path, by a hand-written `init(row:)` that keeps the same promise).
///
/// GRDB's own decoding errors name the column but not the table, and print the whole row,
/// personal data included; its non-optional row subscripts trap. A stored record turns every
/// failure to decode into a `StoredValueError` naming the table, the column and the row's key,
/// so one bad row is an error an operator can act on, never a default and never a crash.
protocol StoredRecord: FetchableRecord, TableRecord, Decodable {
    /// The primary key's columns, to name a row that cannot be decoded.
    static var keyColumns: [String] { get }
    /// This row's primary key, to name it when a value it holds fails a check after decoding
    /// (a JSON document, a substatus).
    var rowID: String { get }
}

extension StoredRecord where Self: Identifiable {
    var rowID: String { "\(id)" }
}

extension StoredRecord {
    static var keyColumns: [String] { ["id"] }

    init(row: Row) throws {
        do {
            self = try FetchableRecordDecoder().decode(Self.self, from: row)
        } catch {
            let failure = DecodingFailure(error)
            throw StoredValueError(
                table: Self.databaseTableName, column: failure.column ?? "?", rowID: Self.key(of: row), problem: failure.problem)
        }
    }

    /// The error for a value of this row that decoded but does not make sense.
    func unreadable(_ column: some CodingKey, _ problem: String) -> StoredValueError {
        StoredValueError(table: Self.databaseTableName, column: column.stringValue, rowID: rowID, problem: problem)
    }

    /// The JSON document in `column`, or an error naming this row.
    func json<T: Decodable>(_ type: T.Type, _ text: String, column: some CodingKey) throws -> T {
        do {
            return try JSONText.decode(type, from: text)
        } catch {
            throw unreadable(column, "not a valid \(T.self) document (\(DecodingFailure(error).problem))")
        }
    }

    /// One column of a hand-written SELECT of this table (a few columns of a hot read, one side
    /// of a join), decoded with the same care: a value that cannot be read is a `StoredValueError`
    /// naming this table, the column and `id`, never a trap.
    static func value<T: DatabaseValueConvertible>(_ column: Column, in row: Row, id: some CustomStringConvertible) throws -> T {
        do {
            return try row.decode(T.self, forColumn: column.name)
        } catch {
            throw StoredValueError(table: databaseTableName, column: column.name, rowID: id.description, problem: DecodingFailure(error).problem)
        }
    }

    private static func key(of row: Row) -> String {
        let values = keyColumns.map { column in row[column].map { "\($0)" } ?? "?" }
        guard values.count > 1 else { return values.first ?? "?" }
        return zip(keyColumns, values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }
}

/// Where a decoding error points and what it says, without the row GRDB prints along with it.
struct DecodingFailure {
    var column: String?
    var problem: String

    init(_ error: any Error) {
        switch error {
        case DecodingError.dataCorrupted(let context):
            (column, problem) = (context.codingPath.first?.stringValue, context.debugDescription)
        case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
            (column, problem) = (context.codingPath.first?.stringValue, "expected \(type): \(context.debugDescription)")
        case DecodingError.keyNotFound(let key, let context):
            (column, problem) = (context.codingPath.first?.stringValue ?? key.stringValue, "no such column")
        case let error as RowDecodingError:
            // GRDB keeps the column to itself; its message reads `<what> - column: "name", …, row: […]`,
            // or `column not found: "name" - row: […]`.
            let text = String(describing: error)
            let what = text.components(separatedBy: " - ").first ?? text
            column = Self.quoted(after: "column: \"", in: text) ?? Self.quoted(after: "column not found: \"", in: text)
            problem = what.hasPrefix("column not found") ? "no such column" : what
        default:
            (column, problem) = (nil, String(describing: error))
        }
    }

    private static func quoted(after marker: String, in text: String) -> String? {
        guard let start = text.range(of: marker)?.upperBound, let end = text[start...].firstIndex(of: "\"") else { return nil }
        return String(text[start..<end])
    }
}
