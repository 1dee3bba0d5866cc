import Foundation
import GRDB
import PostgresNIO
import WaymarkCore

// The store's records (`TenantRecord`, `ShipmentRecord`, …) are read from and written to
// PostgreSQL through their `Codable` conformance, by column name, so both backends share one
// definition of every table's columns and one conversion to Waymark's values, with the same
// `StoredValueError` for a value that cannot be read.

extension StoredRecord {
    /// The record in a row of `SELECT *` (or any SELECT naming the record's columns).
    init(postgres row: PostgresRow) throws {
        let columns = row.makeRandomAccess()
        do {
            self = try Self(from: PostgresRowDecoder(row: columns))
        } catch {
            let failure = DecodingFailure(error)
            let key = Self.keyColumns.map { column in
                columns.contains(column) ? (try? columns[column].decode(String?.self)).flatMap { $0 }
                    ?? (try? columns[column].decode(Int64?.self)).flatMap { $0 }.map(String.init) ?? "?" : "?"
            }
            let rowID = key.count > 1 ? zip(Self.keyColumns, key).map { "\($0)=\($1)" }.joined(separator: ", ") : key.first ?? "?"
            throw StoredValueError(table: Self.databaseTableName, column: failure.column ?? "?", rowID: rowID, problem: failure.problem)
        }
    }
}

extension PostgresRowSequence {
    /// Every row as a record.
    func records<R: StoredRecord>(_ type: R.Type) async throws -> [R] {
        var records: [R] = []
        for try await row in self { records.append(try R(postgres: row)) }
        return records
    }

    /// The first row as a record, if any.
    func record<R: StoredRecord>(_ type: R.Type) async throws -> R? {
        for try await row in self { return try R(postgres: row) }
        return nil
    }

    /// The first column of every row.
    func values<T: PostgresDecodable>(_ type: T.Type) async throws -> [T] {
        var values: [T] = []
        for try await value in decode(T.self) { values.append(value) }
        return values
    }

    /// The first column of the first row, if any.
    func value<T: PostgresDecodable>(_ type: T.Type) async throws -> T? {
        for try await value in decode(T.self) { return value }
        return nil
    }
}

/// A `Decoder` over one row: keys are column names; a single value is one cell.
private struct PostgresRowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is not a list"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a row is not one value"))
    }

    struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRandomAccessRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { row.contains(key.stringValue) }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard row.contains(key.stringValue) else { return true }
            return row[key.stringValue].bytes == nil
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard row.contains(key.stringValue) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no such column"))
            }
            let cell = row[key.stringValue]
            guard cell.bytes != nil else {
                throw DecodingError.valueNotFound(T.self, .init(codingPath: [key], debugDescription: "NULL"))
            }
            do {
                if let decodable = T.self as? any PostgresDecodable.Type { return try Self.decode(decodable, cell) as! T }
                // Enums stored as text or numbers (`DeliveryStatus`, `APIKeyScope`, …) and other
                // single values decode from the cell.
                return try T(from: Cell(cell: cell, key: key))
            } catch let error as DecodingError {
                throw error
            } catch {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "\(cell.dataType): \(error)"))
            }
        }

        private static func decode<P: PostgresDecodable>(_ type: P.Type, _ cell: PostgresCell) throws -> P {
            try cell.decode(P.self)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(Any.self, .init(codingPath: [key], debugDescription: "a column holds one value"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "a column holds one value"))
        }

        func superDecoder() throws -> any Decoder { throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "no super")) }
        func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder() }
    }

    /// One cell, for a `Decodable` that is not `PostgresDecodable` (a `RawRepresentable` enum).
    struct Cell: Decoder, SingleValueDecodingContainer {
        let cell: PostgresCell
        let key: any CodingKey
        var codingPath: [any CodingKey] { [key] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
            throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a column holds one value"))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a column holds one value"))
        }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { cell.bytes == nil }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if let decodable = T.self as? any PostgresDecodable.Type { return try Self.decode(decodable, cell) as! T }
            return try T(from: self)
        }
        private static func decode<P: PostgresDecodable>(_ type: P.Type, _ cell: PostgresCell) throws -> P {
            try cell.decode(P.self)
        }
    }
}

// MARK: Writing records

extension PersistableRecord where Self: Encodable {
    /// `INSERT INTO <table> (<every column the record encodes>) VALUES (…)`, with `suffix` after
    /// it (`ON CONFLICT …`, `RETURNING id`). A nil optional is left out, so the column takes its
    /// default: NULL, or the next id for an identity column.
    func postgresInsert(_ suffix: String = "") throws -> PostgresQuery {
        let encoder = PostgresRowEncoder()
        try encode(to: encoder)
        if let refusal = encoder.refusal {
            throw EncodingError.invalidValue(self, .init(codingPath: [], debugDescription: refusal))
        }
        var bindings = PostgresBindings(capacity: encoder.columns.count)
        for value in encoder.values { try value(&bindings) }
        let columns = encoder.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let placeholders = (1...max(1, encoder.columns.count)).map { "$\($0)" }.joined(separator: ", ")
        let table = Self.databaseTableName == "user" ? "\"user\"" : Self.databaseTableName
        return PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(columns)) VALUES (\(placeholders)) \(suffix)", binds: bindings)
    }
}

/// Collects a record's columns and their values, in the order it encodes them.
private final class PostgresRowEncoder: Encoder {
    var columns: [String] = []
    var values: [(inout PostgresBindings) throws -> Void] = []
    /// Set when the record asked for something a row cannot hold (a list, a nested value);
    /// `postgresInsert` then throws it instead of writing a half-encoded row.
    var refusal: String?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Columns(encoder: self))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { refuse("a record encodes as columns, not a list") }
    func singleValueContainer() -> any SingleValueEncodingContainer { refuse("a record encodes as columns, not one value") }

    /// Notes why the record cannot be written and hands back a container that takes nothing.
    func refuse(_ reason: String) -> Refused {
        if refusal == nil { refusal = reason }
        return Refused(reason: reason)
    }

    func append(_ column: String, _ bind: @escaping (inout PostgresBindings) throws -> Void) {
        columns.append(column)
        values.append(bind)
    }

    struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: PostgresRowEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {
            encoder.append(key.stringValue) { $0.appendNull() }
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            if let value = value as? any PostgresDynamicTypeEncodable {
                encoder.append(key.stringValue) { try Self.bind(value, &$0) }
            } else if let value = value as? any RawRepresentable, let raw = value.rawValue as? any PostgresDynamicTypeEncodable {
                encoder.append(key.stringValue) { try Self.bind(raw, &$0) }
            } else {
                throw EncodingError.invalidValue(value, .init(codingPath: [key], debugDescription: "\(T.self) has no PostgreSQL type"))
            }
        }

        private static func bind<E: PostgresDynamicTypeEncodable>(_ value: E, _ bindings: inout PostgresBindings) throws {
            try bindings.append(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            _ = encoder.refuse("column '\(key.stringValue)' holds one value, not a nested one")
            return KeyedEncodingContainer(Columns<NestedKey>(encoder: PostgresRowEncoder()))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.refuse("column '\(key.stringValue)' holds one value, not a list")
        }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }

    /// What a record gets for a shape a row cannot hold: it takes nothing, and each value given
    /// to it is an error (the encoder has noted the refusal as well).
    struct Refused: UnkeyedEncodingContainer, SingleValueEncodingContainer {
        let reason: String
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }

        func encodeNil() throws { throw EncodingError.invalidValue(0, .init(codingPath: [], debugDescription: reason)) }
        func encode<T: Encodable>(_ value: T) throws { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: reason)) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Columns<NestedKey>(encoder: PostgresRowEncoder()))
        }
        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        func superEncoder() -> any Encoder { PostgresRowEncoder() }
    }
}
