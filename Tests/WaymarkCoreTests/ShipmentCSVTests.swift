import Testing
import WaymarkCore

/// Reads a whole shipment CSV text in chunks of `chunkSize` bytes (all at once when nil).
func readShipments(_ text: String, chunkSize: Int? = nil) throws(CSVFileError) -> (rows: [ShipmentCSV.Row], warnings: [String]) {
    return try readShipments(Array(text.utf8), chunkSize: chunkSize)
}

func readShipments(_ bytes: [UInt8], chunkSize: Int? = nil) throws(CSVFileError) -> (rows: [ShipmentCSV.Row], warnings: [String]) {
    var reader = ShipmentCSVReader()
    var rows: [ShipmentCSV.Row] = []
    let size = max(1, chunkSize ?? bytes.count)
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        rows += try reader.read(bytes[start..<end])
        start = end
    }
    rows += try reader.finish()
    return (rows, reader.warnings)
}

extension ShipmentCSV.Row {
    var shipment: NewShipment? {
        if case .valid(_, let shipment) = self { shipment } else { nil }
    }

    var errors: [ImportRowError] {
        if case .invalid(_, let errors) = self { errors } else { [] }
    }
}

@Suite("ShipmentCSV: header mapping and row validation")
struct ShipmentCSVTests {
    @Test("Columns in any order, any case, with spaces around the names")
    func anyOrder() throws {
        let rows = try readShipments(" Email ,COUNTRY,tracking_number , Carrier,name,Postal_Code,city,locale,order_number,phone\n"
            + "jane@example.com,gb,1z 999 aa1,UPS,Jane Doe,SW1A 1AA,London,en-GB,A-1001,+44 20 7946 0958\n").rows
        let expected = try NewShipment(
            trackingNumber: "1z 999 aa1", carrier: "UPS", orderNumber: "A-1001",
            customer: Customer(name: "Jane Doe", email: "jane@example.com", phone: "+44 20 7946 0958", locale: "en-GB"),
            destination: Destination(city: "London", postalCode: "SW1A 1AA", country: "gb")
        ).validated()
        #expect(rows == [.valid(row: 2, expected)])
        // Normalized by the one rule book, not by the importer.
        #expect(rows.first?.shipment?.trackingNumber == "1Z999AA1")
        #expect(rows.first?.shipment?.destination.country == "GB")
        #expect(rows.first?.shipment?.customer.phone == "+442079460958")
    }

    @Test("Only tracking_number is required; empty cells are absent values")
    func minimal() throws {
        let rows = try readShipments("tracking_number\nA1\n").rows
        #expect(rows == [.valid(row: 2, NewShipment(trackingNumber: "A1"))])
        let sparse = try readShipments("tracking_number,email,carrier\nA2,,\n").rows
        #expect(sparse.first?.shipment == NewShipment(trackingNumber: "A2"))
    }

    @Test("Unknown columns are ignored and named in a warning")
    func unknownColumns() throws {
        let (rows, warnings) = try readShipments("tracking_number,Weight,,email\nA1,2kg,x,jane@example.com\n")
        #expect(rows.first?.shipment == NewShipment(trackingNumber: "A1", customer: Customer(email: "jane@example.com")))
        #expect(warnings.count == 2)
        #expect(warnings.first?.contains("'Weight'") == true)
        #expect(warnings.last?.contains("column 3 has no name") == true)
    }

    @Test("A header without tracking_number, or naming a column twice, stops the import")
    func headerErrors() {
        #expect(throws: CSVFileError.missingColumn("tracking_number")) { try readShipments("carrier,email\nups,a@b.example\n") }
        #expect(throws: CSVFileError.duplicateColumn("email")) { try readShipments("tracking_number,Email,email\nA1,a@b.example,c@d.example\n") }
        #expect(throws: CSVFileError.noHeader) { try readShipments("") }
        #expect(throws: CSVFileError.noHeader) { try readShipments("\u{FEFF}\r\n\r\n") }
    }

    @Test("A header alone is an empty import")
    func headerOnly() throws {
        #expect(try readShipments("tracking_number,carrier\r\n").rows.isEmpty)
    }

    @Test("Invalid values become row errors named by the CSV column")
    func rowErrors() throws {
        let rows = try readShipments("""
            tracking_number,email,phone,country,carrier,postal_code,locale,name
            A1,not-an-email,,,,,,
            A2,,0301234567,,,,,
            A3,,,1A,,,,
            ,,,,,,,
            ,jane@example.com,,,,,,
            A6,,,,pigeon,,,
            A7,,,,,,tlh,
            A8,,,,,12345678901234567,,
            A9,,,,,,,"Jane\u{0007}"
            A10,bad,+1,D,,,,

            """).rows
        let reported = rows.map { row in row.errors.map { "\($0.row) \($0.field ?? "-")" } }
        #expect(reported == [
            ["2 email"], ["3 phone"], ["4 country"], ["6 tracking_number"], ["7 carrier"], ["8 locale"],
            ["9 postal_code"], ["10 name"], ["11 email", "11 phone", "11 country"],
        ])
        // The reasons are the rule book's own words.
        #expect(rows[0].errors.first?.reason == "it has no @")
        #expect(rows[2].errors.first?.reason == "must be a two-letter ISO 3166 country code like DE")
        #expect(rows[3].errors.first?.reason == "is required")
    }

    @Test("A row with the wrong number of fields fails alone; the next rows are read")
    func wrongFieldCount() throws {
        let rows = try readShipments("tracking_number,email\nA1\nA2,a@b.example,extra\nA3,c@d.example\n").rows
        #expect(rows.map(\.number) == [2, 3, 4])
        #expect(rows[0].errors == [ImportRowError(row: 2, field: nil, reason: "has 1 fields but the header has 2")])
        #expect(rows[1].errors.first?.field == nil)
        #expect(rows[1].errors.first?.reason.contains("quoted") == true)
        #expect(rows[2].shipment?.trackingNumber == "A3")
    }

    @Test("Row numbers count the header as row 1 and a multi-line field as one row")
    func rowNumbers() throws {
        let rows = try readShipments("tracking_number,name\nA1,\"Jane\nDoe\"\n\nA2,x\nbad!,y\n").rows
        #expect(rows.map(\.number) == [2, 4, 5])
        #expect(rows[0].errors.first?.field == "name") // a line break inside a name
        #expect(rows[2].errors.first?.row == 5)
    }

    @Test("Rows of empty cells after the data are not shipments")
    func emptyRows() throws {
        let rows = try readShipments("tracking_number,email\nA1,\n,\n , \n").rows
        #expect(rows.map(\.number) == [2])
    }

    @Test("Text that is not UTF-8 fails its row when the column is used, not when it is ignored")
    func notUTF8() throws {
        let bytes = Array("tracking_number,name,notes\nA1,Zo".utf8) + [0xEB] + Array(",x\nA2,Zoe,caf".utf8) + [0xE9] + Array("\n".utf8)
        let rows = try readShipments(bytes).rows
        #expect(rows[0].errors.map(\.field) == ["name"])
        #expect(rows[1].shipment?.trackingNumber == "A2")
    }

    @Test("A quote that never closes stops the import with its row number")
    func unterminatedQuote() {
        #expect(throws: CSVFileError.unterminatedQuote(row: 3, line: 3)) {
            try readShipments("tracking_number,name\nA1,x\nA2,\"Jane\nDoe\n")
        }
    }

    @Test("The same rows and warnings whatever the chunk size", arguments: [1, 2, 3, 7, nil] as [Int?])
    func chunkBoundaries(chunkSize: Int?) throws {
        let text = "\u{FEFF}Tracking_Number,City,email,note\r\n"
            + "A1,Zürich,jane@example.com,\"a, \"\"b\"\"\"\r\n"
            + "A2,\"São\r\nPaulo\",bad,x\r\n"
            + "A3,東京,,🚚\r\n"
            + "A4,\"Kraków\",,\"\"\r\n"
        let whole = try readShipments(text)
        let chunked = try readShipments(text, chunkSize: chunkSize)
        #expect(chunked.rows == whole.rows)
        #expect(chunked.warnings == whole.warnings)
        #expect(whole.rows.map(\.number) == [2, 3, 4, 5])
        #expect(whole.rows.compactMap(\.shipment).map(\.destination.city) == ["Zürich", "東京", "Kraków"])
        #expect(whole.rows[1].errors.map(\.field) == ["email", "city"])
    }
}
