import Testing
import WaymarkCore

/// Feeds `input` to a fresh reader in chunks of `chunkSize` bytes (the whole input when nil).
func readCSV(_ input: [UInt8], chunkSize: Int? = nil, recordLimit: Int = CSVReader.defaultRecordLimit) throws(CSVFileError) -> [CSVRecord] {
    var reader = CSVReader(recordLimit: recordLimit)
    var records: [CSVRecord] = []
    let size = max(1, chunkSize ?? input.count)
    var start = 0
    while start < input.count {
        let end = min(start + size, input.count)
        records += try reader.read(input[start..<end])
        start = end
    }
    return records + (try reader.finish())
}

func readCSV(_ text: String, chunkSize: Int? = nil) throws(CSVFileError) -> [CSVRecord] {
    try readCSV(Array(text.utf8), chunkSize: chunkSize)
}

/// The fields of each record.
func fields(_ text: String, chunkSize: Int? = nil) throws -> [[String]] {
    try readCSV(text, chunkSize: chunkSize).map(\.fields)
}

@Suite("CSVReader: RFC 4180, incrementally")
struct CSVReaderTests {
    static let chunkSizes: [Int?] = [1, 2, 3, 7, nil]

    @Test("Plain fields, LF line ends")
    func plain() throws {
        #expect(try fields("a,b,c\n1,2,3\n") == [["a", "b", "c"], ["1", "2", "3"]])
    }

    @Test("CRLF and lone CR end records like LF")
    func lineEnds() throws {
        #expect(try fields("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,b\r1,2\r") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,b\r\n1,2\n3,4\r5,6") == [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
    }

    @Test("Quoted fields keep commas, doubled quotes and line breaks")
    func quoted() throws {
        let input = "name,note\r\n\"Doe, Jane\",\"She said \"\"hi\"\"\"\r\n\"two\nlines\",\"crlf\r\ninside\"\r\n"
        #expect(try fields(input) == [["name", "note"], ["Doe, Jane", "She said \"hi\""], ["two\nlines", "crlf\r\ninside"]])
    }

    @Test("Empty fields, quoted or not, and a trailing comma")
    func emptyFields() throws {
        #expect(try fields("a,,c\n,\n\"\",x\n\"\"\na,\n") == [["a", "", "c"], ["", ""], ["", "x"], [""], ["a", ""]])
    }

    @Test("A leading byte-order mark is dropped; one anywhere else is text")
    func byteOrderMark() throws {
        #expect(try fields("\u{FEFF}tracking_number\nA1\n") == [["tracking_number"], ["A1"]])
        #expect(try fields("a\n\u{FEFF}b\n") == [["a"], ["\u{FEFF}b"]])
        #expect(try fields("\u{FEFF}").isEmpty)
        // Bytes that start like a byte-order mark but are not one are kept.
        let almost = try readCSV([0xEF, 0xBB, 0x41, 0x0A])
        #expect(almost.count == 1)
        #expect(almost.first?.problems == [CSVRecord.Problem(fieldIndex: 0, reason: "is not UTF-8 text; save the file as CSV UTF-8")])
    }

    @Test("No line break after the last record, or a trailing empty line, make no extra record")
    func endOfInput() throws {
        #expect(try fields("a,b\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try fields("a,b\n1,2\r\n\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try fields("").isEmpty)
        #expect(try fields("\n").isEmpty)
    }

    @Test("Blank lines are skipped but keep their row number")
    func blankLines() throws {
        let records = try readCSV("h\n\nA1\r\n\r\nA2\n")
        #expect(records.map(\.fields) == [["h"], ["A1"], ["A2"]])
        #expect(records.map(\.number) == [1, 3, 5])
        #expect(records.map(\.line) == [1, 3, 5])
    }

    @Test("A record spanning lines is one row; the next row starts on the right line")
    func numbering() throws {
        let records = try readCSV("h,note\n1,\"a\nb\r\nc\"\n2,x\n")
        #expect(records.map(\.number) == [1, 2, 3])
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test("An unclosed quote is an error naming its row and line", arguments: chunkSizes)
    func unterminatedQuote(chunkSize: Int?) {
        #expect(throws: CSVFileError.unterminatedQuote(row: 3, line: 4)) {
            try readCSV("h,n\nA1,\"x\ny\"\nA2,\"unclosed\nmore\n", chunkSize: chunkSize)
        }
        let message = CSVFileError.unterminatedQuote(row: 3, line: 4).description
        #expect(message.contains("row 3") && message.contains("line 4") && message.contains("never closed"))
    }

    @Test("A record past the size limit stops the reader instead of buffering the file")
    func recordLimit() {
        let input = Array("h\nA1\n\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 200)
        #expect(throws: CSVFileError.recordTooLarge(row: 3, line: 3, limit: 100)) {
            try readCSV(input, chunkSize: 16, recordLimit: 100)
        }
    }

    @Test("The rows before a file error come first and the error with the next call, however the file is cut (fuzzer finding)")
    func rowsBeforeAnErrorWhateverTheChunks() throws {
        let input = Array("h\nA1\n\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 200)
        var whole = CSVReader(recordLimit: 100)
        #expect(try whole.read(input).map(\.fields) == [["h"], ["A1"]])
        #expect(throws: CSVFileError.recordTooLarge(row: 3, line: 3, limit: 100)) { try whole.read([UInt8(ascii: "x")]) }
        #expect(throws: CSVFileError.recordTooLarge(row: 3, line: 3, limit: 100)) { try whole.finish() }
        var cut = CSVReader(recordLimit: 100)
        #expect(try cut.read(input[..<5]).map(\.fields) == [["h"], ["A1"]])
        #expect(throws: CSVFileError.recordTooLarge(row: 3, line: 3, limit: 100)) { try cut.read(input[5...]) }
    }

    @Test("Text after a closing quote is kept and reported for that field only")
    func textAfterClosingQuote() throws {
        let records = try readCSV("a,b,c\n1,\"x\"y,3\n4,5,6\n")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["1", "xy", "3"], ["4", "5", "6"]])
        #expect(records[1].problems.map(\.fieldIndex) == [1])
        #expect(records[2].problems.isEmpty)
    }

    @Test("A quote inside an unquoted field is text")
    func bareQuote() throws {
        #expect(try fields("a\n5'10\" box\n") == [["a"], ["5'10\" box"]])
    }

    @Test("Bytes that are not UTF-8 are a problem of their field, not of the file")
    func invalidUTF8() throws {
        // "Zoë" in Windows-1252.
        let records = try readCSV(Array("a,b\n1,Zo".utf8) + [0xEB] + Array("\n2,ok\n".utf8))
        #expect(records.count == 3)
        #expect(records[1].problems.map(\.fieldIndex) == [1])
        #expect(records[2].problems.isEmpty)
    }

    /// Every edge case at once, so that chunk boundaries fall inside quotes, doubled quotes,
    /// CRLF pairs, the byte-order mark and multi-byte characters.
    static let mixed = "\u{FEFF}tracking_number,name,city\r\n"
        + "A1,\"Doe, Jane\",Zürich\r\n"
        + "A2,\"She said \"\"hi\"\"\",東京\r\n"
        + "\r\n"
        + "A3,\"two\r\nlines\",🚚 Depot\n"
        + "A4,,\"\"\r"
        + "A5,Zoë,\"São Paulo\"\r\n"

    static let mixedFields: [[String]] = [
        ["tracking_number", "name", "city"],
        ["A1", "Doe, Jane", "Zürich"],
        ["A2", "She said \"hi\"", "東京"],
        ["A3", "two\r\nlines", "🚚 Depot"],
        ["A4", "", ""],
        ["A5", "Zoë", "São Paulo"],
    ]

    @Test("The same records whatever the chunk size", arguments: chunkSizes)
    func chunkBoundaries(chunkSize: Int?) throws {
        let records = try readCSV(Self.mixed, chunkSize: chunkSize)
        #expect(records.map(\.fields) == Self.mixedFields)
        #expect(records.map(\.number) == [1, 2, 3, 5, 6, 7])
        #expect(records.map(\.line) == [1, 2, 3, 5, 7, 8])
        #expect(records.allSatisfy { $0.problems.isEmpty })
        #expect(records == (try readCSV(Self.mixed)))
    }

    @Test("Input that is not contiguous in memory reads the same")
    func nonContiguousInput() throws {
        var reader = CSVReader()
        let lazyBytes = Self.mixed.utf8.lazy.map { $0 }
        let records = try reader.read(lazyBytes) + reader.finish()
        #expect(records.map(\.fields) == Self.mixedFields)
    }
}
