import Foundation
import GRDB
import GRDBSQLite
import WaymarkCore

/// A row of `shipment`, column for column. `Shipment` is what the rest of Waymark sees; this is
/// how it is stored: customer and destination flattened, metadata as JSON text, the postal code's
/// lookup key beside it, and the stalled check's bookkeeping.
struct ShipmentRecord: Codable, StoredRecord, PersistableRecord, Identifiable {
    static let databaseTableName = "shipment"

    var id: String
    var tenantID: Int64
    var trackingNumber: String
    var carrier: String
    var orderNumber: String?
    var customerName: String?
    var customerEmail: String?
    var customerPhone: String?
    var customerLocale: String?
    var destinationCity: String?
    var destinationRegion: String?
    var destinationPostalCode: String?
    /// `destinationPostalCode` without spaces, hyphens or case, for shoppers' lookups.
    var destinationPostalKey: String?
    var destinationCountry: String?
    var status: DeliveryStatus
    /// `status.reason`; checked against `status` when read.
    var substatus: String?
    var eta: Date?
    var deliveredAt: Date?
    var lastEventAt: Date?
    var token: String
    /// A JSON object of strings.
    var metadata: String
    var createdAt: Date
    var updatedAt: Date
    var archivedAt: Date?
    var registrationError: String?
    /// The quiet spell the stalled check last decided for (see `stallCandidatesSQL`).
    var stalledCheckedFor: Date?

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", trackingNumber = "tracking_number", carrier, orderNumber = "order_number"
        case customerName = "customer_name", customerEmail = "customer_email", customerPhone = "customer_phone"
        case customerLocale = "customer_locale", destinationCity = "destination_city", destinationRegion = "destination_region"
        case destinationPostalCode = "destination_postal_code", destinationPostalKey = "destination_postal_key"
        case destinationCountry = "destination_country", status, substatus, eta, deliveredAt = "delivered_at"
        case lastEventAt = "last_event_at", token, metadata, createdAt = "created_at", updatedAt = "updated_at"
        case archivedAt = "archived_at", registrationError = "registration_error", stalledCheckedFor = "stalled_checked_for"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let trackingNumber = Column(CodingKeys.trackingNumber)
        static let carrier = Column(CodingKeys.carrier)
        static let orderNumber = Column(CodingKeys.orderNumber)
        static let customerName = Column(CodingKeys.customerName)
        static let customerEmail = Column(CodingKeys.customerEmail)
        static let customerPhone = Column(CodingKeys.customerPhone)
        static let customerLocale = Column(CodingKeys.customerLocale)
        static let destinationCity = Column(CodingKeys.destinationCity)
        static let destinationRegion = Column(CodingKeys.destinationRegion)
        static let destinationPostalCode = Column(CodingKeys.destinationPostalCode)
        static let destinationPostalKey = Column(CodingKeys.destinationPostalKey)
        static let destinationCountry = Column(CodingKeys.destinationCountry)
        static let status = Column(CodingKeys.status)
        static let substatus = Column(CodingKeys.substatus)
        static let eta = Column(CodingKeys.eta)
        static let deliveredAt = Column(CodingKeys.deliveredAt)
        static let lastEventAt = Column(CodingKeys.lastEventAt)
        static let token = Column(CodingKeys.token)
        static let metadata = Column(CodingKeys.metadata)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
        static let archivedAt = Column(CodingKeys.archivedAt)
        static let registrationError = Column(CodingKeys.registrationError)
        static let stalledCheckedFor = Column(CodingKeys.stalledCheckedFor)
    }

    /// The columns in the table's order, which `SELECT *` and `SELECT s.*` return.
    static let tableOrder: [Column] = [
        Columns.id, Columns.tenantID, Columns.trackingNumber, Columns.carrier, Columns.orderNumber, Columns.customerName,
        Columns.customerEmail, Columns.customerPhone, Columns.customerLocale, Columns.destinationCity, Columns.destinationRegion,
        Columns.destinationPostalCode, Columns.destinationPostalKey, Columns.destinationCountry, Columns.status, Columns.substatus,
        Columns.eta, Columns.deliveredAt, Columns.lastEventAt, Columns.token, Columns.metadata, Columns.createdAt, Columns.updatedAt,
        Columns.archivedAt, Columns.registrationError, Columns.stalledCheckedFor,
    ]

    /// Written out rather than left to `Codable`, which was the largest single cost of reading a
    /// shipment. Errors are a stored record's: a `StoredValueError` naming the table, the column
    /// and the shipment's id. (`fetchFirst` reads a `SELECT *` faster still.)
    init(row: Row) throws {
        let id: String = try Self.value(Columns.id, in: row, id: "?")
        try self.init(reading: NamedColumns(row: row, id: id))
    }

    /// A shipment from its columns, wherever they are read from.
    private init(reading columns: some ShipmentColumnReader) throws {
        func column<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) throws -> T? { try columns.value(index) }
        func required<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) throws -> T {
            guard let value: T = try columns.value(index) else { throw Self.unreadable(index, id: columns.id, "NULL") }
            return value
        }
        id = columns.id
        tenantID = try required(1)
        trackingNumber = try required(2)
        carrier = try required(3)
        orderNumber = try column(4)
        customerName = try column(5)
        customerEmail = try column(6)
        customerPhone = try column(7)
        customerLocale = try column(8)
        destinationCity = try column(9)
        destinationRegion = try column(10)
        destinationPostalCode = try column(11)
        destinationPostalKey = try column(12)
        destinationCountry = try column(13)
        let statusText: String = try required(14)
        guard let status = DeliveryStatus(rawValue: statusText) else { throw Self.unreadable(14, id: id, "'\(statusText)' is not a status") }
        self.status = status
        substatus = try column(15)
        eta = try column(16)
        deliveredAt = try column(17)
        lastEventAt = try column(18)
        token = try required(19)
        metadata = try required(20)
        createdAt = try required(21)
        updatedAt = try required(22)
        archivedAt = try column(23)
        registrationError = try column(24)
        stalledCheckedFor = try column(25)
    }

    static func unreadable(_ index: Int, id: String, _ problem: String) -> StoredValueError {
        StoredValueError(table: databaseTableName, column: tableOrder[index].name, rowID: id, problem: problem)
    }

    /// The row for a new shipment.
    init(_ shipment: Shipment) throws {
        id = shipment.id
        tenantID = shipment.tenantID
        trackingNumber = shipment.trackingNumber
        carrier = shipment.carrier
        orderNumber = shipment.orderNumber
        customerName = shipment.customer.name
        customerEmail = shipment.customer.email
        customerPhone = shipment.customer.phone
        customerLocale = shipment.customer.locale
        destinationCity = shipment.destination.city
        destinationRegion = shipment.destination.region
        destinationPostalCode = shipment.destination.postalCode
        destinationPostalKey = shipment.destination.postalCode.map(Destination.postalLookupKey)
        destinationCountry = shipment.destination.country
        status = shipment.status
        substatus = shipment.substatus?.description
        eta = shipment.eta
        deliveredAt = shipment.deliveredAt
        lastEventAt = shipment.lastEventAt
        token = shipment.token
        metadata = try JSONText.encode(shipment.metadata)
        createdAt = shipment.createdAt
        updatedAt = shipment.updatedAt
        archivedAt = shipment.archivedAt
        registrationError = shipment.registrationError
        stalledCheckedFor = nil
    }

    /// The shipment this row holds.
    func shipment() throws -> Shipment {
        Shipment(
            id: id, tenantID: tenantID, trackingNumber: trackingNumber, carrier: carrier, orderNumber: orderNumber,
            customer: Customer(name: customerName, email: customerEmail, phone: customerPhone, locale: customerLocale),
            destination: Destination(
                city: destinationCity, region: destinationRegion, postalCode: destinationPostalCode, country: destinationCountry),
            status: status, substatus: try Substatus(stored: substatus, for: status, in: self, column: CodingKeys.substatus),
            eta: eta, deliveredAt: deliveredAt, lastEventAt: lastEventAt, token: token,
            metadata: metadata == "{}" ? [:] : try json([String: String].self, metadata, column: CodingKeys.metadata),
            archivedAt: archivedAt, registrationError: registrationError, createdAt: createdAt, updatedAt: updatedAt)
    }
}

extension Substatus {
    /// A stored substatus, which must belong to the row's status; nil when there is none.
    init?(stored text: String?, for status: DeliveryStatus, in record: some StoredRecord, column: some CodingKey) throws {
        guard let text else { return nil }
        do {
            try self.init(parsing: text, for: status)
        } catch {
            throw record.unreadable(column, error.description)
        }
    }
}

extension ShipmentRecord {
    static let tableOrderNames = tableOrder.map(\.name)

    /// The first shipment `statement` returns. When the statement returns the table's columns in
    /// order (`SELECT *`), they are read where SQLite holds them: building a GRDB row first (it
    /// indexes every column's name, lowercased) cost more than the read itself, and every
    /// provider event and tracking page reads a shipment. Any other statement is read by name.
    static func fetchFirst(_ statement: Statement, arguments: StatementArguments) throws -> ShipmentRecord? {
        guard statement.columnNames == tableOrderNames else { return try fetchOne(statement, arguments: arguments) }
        // The cursor steps onto the first row and reads its id; the statement stays on that row
        // until the cursor goes, which resets it.
        let cursor = try String.fetchCursor(statement, arguments: arguments)
        return try withExtendedLifetime(cursor) {
            guard let id = try cursor.next() else { return nil }
            return try ShipmentRecord(reading: InPlaceColumns(statement: statement.sqliteStatement, id: id))
        }
    }
}

/// One shipment row's columns, by their place in `ShipmentRecord.tableOrder`.
private protocol ShipmentColumnReader {
    var id: String { get }
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) throws -> T?
}

/// A GRDB row, read by the columns' names.
private struct NamedColumns: ShipmentColumnReader {
    let row: Row
    let id: String

    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) throws -> T? {
        try ShipmentRecord.value(ShipmentRecord.tableOrder[index], in: row, id: id)
    }
}

/// The row a SQLite statement of `SELECT *` stands on, read in place.
private struct InPlaceColumns: ShipmentColumnReader {
    let statement: SQLiteStatement
    let id: String

    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: Int) throws -> T? {
        guard sqlite3_column_type(statement, CInt(index)) != SQLITE_NULL else { return nil }
        guard let value = T(sqliteStatement: statement, index: CInt(index)) else {
            throw ShipmentRecord.unreadable(index, id: id, "not a valid \(T.self)")
        }
        return value
    }
}
