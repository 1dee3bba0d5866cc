/// A problem with one row of an import: which row (1-based, the header being row 1), which
/// column (as the file names it; nil when the row as a whole is wrong) and why.
public struct ImportRowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var row: Int
    public var field: String?
    public var reason: String

    public init(row: Int, field: String?, reason: String) {
        self.row = row
        self.field = field
        self.reason = reason
    }

    public var description: String { "row \(row)\(field.map { ", \($0)" } ?? ""): \(reason)" }
}

/// How the columns of a shipment CSV file map onto `NewShipment`, read from its header row.
///
/// Column names are matched without regard to case or surrounding spaces, in any order; only
/// `tracking_number` is required. Columns Waymark does not know are ignored and named in
/// `warnings`. Each data row is checked by `NewShipment.validated()`, the one rule book for every
/// way in, and its problems are reported under the file's column names.
public struct ShipmentCSV: Sendable {
    /// The columns a shipment file may have.
    public enum Column: String, CaseIterable, Sendable {
        case trackingNumber = "tracking_number"
        case carrier
        case orderNumber = "order_number"
        case email, phone, name
        case postalCode = "postal_code"
        case city, country, locale

        /// The field under which `NewShipment.validated()` reports this column's problems.
        var validationField: String {
            switch self {
            case .trackingNumber, .carrier, .orderNumber: rawValue
            case .email, .phone, .name, .locale: "customer.\(rawValue)"
            case .postalCode, .city, .country: "destination.\(rawValue)"
            }
        }

        func assign(_ value: String, to shipment: inout NewShipment) {
            switch self {
            case .trackingNumber: shipment.trackingNumber = value
            case .carrier: shipment.carrier = value
            case .orderNumber: shipment.orderNumber = value
            case .email: shipment.customer.email = value
            case .phone: shipment.customer.phone = value
            case .name: shipment.customer.name = value
            case .locale: shipment.customer.locale = value
            case .postalCode: shipment.destination.postalCode = value
            case .city: shipment.destination.city = value
            case .country: shipment.destination.country = value
            }
        }
    }

    /// One data row, read.
    public enum Row: Sendable, Equatable {
        /// A shipment that passed validation, with its row number.
        case valid(row: Int, NewShipment)
        /// A row that cannot be imported, with every problem found in it.
        case invalid(row: Int, [ImportRowError])

        public var number: Int {
            switch self {
            case .valid(let row, _), .invalid(let row, _): row
            }
        }
    }

    /// The known column at each position of a row; nil for ignored columns.
    public let columns: [Column?]
    /// Things the merchant should know that do not stop the import, such as ignored columns.
    public let warnings: [String]

    private static let validationFieldToColumn: [String: Column] =
        Dictionary(uniqueKeysWithValues: Column.allCases.map { ($0.validationField, $0) })

    public init(header: CSVRecord) throws(CSVFileError) {
        var columns: [Column?] = []
        var warnings: [String] = []
        var seen: Set<Column> = []
        for (index, raw) in header.fields.enumerated() {
            let name = raw.trimmingWhitespace.lowercased()
            guard let column = Column(rawValue: name) else {
                columns.append(nil)
                warnings.append(name.isEmpty
                    ? "column \(index + 1) has no name and was ignored"
                    : "column '\(raw.trimmingWhitespace)' is not a shipment column and was ignored (known columns: \(Column.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            guard seen.insert(column).inserted else { throw .duplicateColumn(column.rawValue) }
            columns.append(column)
        }
        guard seen.contains(.trackingNumber) else { throw .missingColumn(Column.trackingNumber.rawValue) }
        self.columns = columns
        self.warnings = warnings
    }

    /// A data row as a validated shipment, or every reason it can't be one.
    public func read(_ record: CSVRecord) -> Row {
        let row = record.number
        guard record.fields.count == columns.count else {
            let hint = record.fields.count > columns.count ? "; is a comma inside a value not quoted?" : ""
            return .invalid(row: row, [ImportRowError(
                row: row, field: nil, reason: "has \(record.fields.count) fields but the header has \(columns.count)\(hint)")])
        }
        var errors = record.problems.compactMap { problem -> ImportRowError? in
            // A defect in an ignored column does not matter.
            guard let column = columns[problem.fieldIndex] else { return nil }
            return ImportRowError(row: row, field: column.rawValue, reason: problem.reason)
        }
        var draft = NewShipment(trackingNumber: "")
        for (column, value) in zip(columns, record.fields) {
            column?.assign(value, to: &draft)
        }
        do throws(ValidationErrors) {
            let shipment = try draft.validated()
            if errors.isEmpty { return .valid(row: row, shipment) }
        } catch {
            errors += error.problems.map { problem in
                ImportRowError(row: row, field: problem.field.map { Self.validationFieldToColumn[$0]?.rawValue ?? $0 }, reason: problem.reason)
            }
        }
        return .invalid(row: row, errors)
    }
}

/// Reads a shipment CSV file chunk by chunk: the header first, then rows as they complete.
/// The CLI feeds it a file and the API a request body; neither holds the whole file.
public struct ShipmentCSVReader: Sendable {
    private var reader: CSVReader
    /// The column mapping, once the header row has been read.
    public private(set) var mapping: ShipmentCSV?

    public init(recordLimit: Int = CSVReader.defaultRecordLimit) {
        reader = CSVReader(recordLimit: recordLimit)
    }

    /// Warnings about the file as a whole, known once the header has been read.
    public var warnings: [String] { mapping?.warnings ?? [] }

    /// The rows that end within `chunk`. Throws for problems with the file as a whole: a header
    /// without `tracking_number`, a quote that never closes.
    public mutating func read(_ chunk: some Sequence<UInt8>) throws(CSVFileError) -> [ShipmentCSV.Row] {
        try rows(from: reader.read(chunk))
    }

    /// Ends the input and returns its last row, if it had no line break after it.
    public mutating func finish() throws(CSVFileError) -> [ShipmentCSV.Row] {
        let rows = try rows(from: reader.finish())
        if mapping == nil { throw .noHeader }
        return rows
    }

    private mutating func rows(from records: [CSVRecord]) throws(CSVFileError) -> [ShipmentCSV.Row] {
        var rows: [ShipmentCSV.Row] = []
        rows.reserveCapacity(records.count)
        for record in records {
            guard let mapping else {
                mapping = try ShipmentCSV(header: record)
                continue
            }
            // Spreadsheets write rows of empty cells after the data; they are not shipments.
            if record.fields.allSatisfy({ $0.trimmingWhitespace.isEmpty }) && record.problems.isEmpty { continue }
            rows.append(mapping.read(record))
        }
        return rows
    }
}
