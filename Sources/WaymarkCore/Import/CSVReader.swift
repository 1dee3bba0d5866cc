/// One record of a CSV file, with where it sits in the file.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based position among the file's records, the header being record 1. A quoted field with
    /// line breaks still makes one record, and a blank line still takes a number (a spreadsheet
    /// shows it as an empty row), so this is the row number a merchant sees.
    public var number: Int
    /// The physical line the record starts on, 1-based.
    public var line: Int
    public var fields: [String]
    /// Field-level defects that did not stop the reader; the field index says which column.
    public var problems: [Problem]

    public struct Problem: Sendable, Equatable {
        public var fieldIndex: Int
        public var reason: String

        public init(fieldIndex: Int, reason: String) {
            self.fieldIndex = fieldIndex
            self.reason = reason
        }
    }

    public init(number: Int, line: Int, fields: [String], problems: [Problem] = []) {
        self.number = number
        self.line = line
        self.fields = fields
        self.problems = problems
    }
}

/// A problem with a CSV file as a whole: nothing after it can be read.
public enum CSVFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A quoted field opened on `line` runs to the end of the input.
    case unterminatedQuote(row: Int, line: Int)
    /// One record is larger than the reader accepts; almost always a quote left open.
    case recordTooLarge(row: Int, line: Int, limit: Int)
    /// The input has no header row.
    case noHeader
    case missingColumn(String)
    case duplicateColumn(String)

    public var description: String {
        switch self {
        case .unterminatedQuote(let row, let line):
            "row \(row): the quoted field opened on line \(line) is never closed; add the missing \" or remove the stray one"
        case .recordTooLarge(let row, let line, let limit):
            "row \(row) (from line \(line)) is longer than \(limit >= 1024 ? "\(limit / 1024) KiB" : "\(limit) bytes"); a quote opened there is probably never closed"
        case .noHeader:
            "the file is empty; the first row must be a header naming the columns, e.g. tracking_number,carrier,email"
        case .missingColumn(let name):
            "the header has no '\(name)' column; the first row must name the columns, e.g. tracking_number,carrier,email"
        case .duplicateColumn(let name):
            "the header names the column '\(name)' more than once"
        }
    }
}

/// An incremental RFC 4180 reader: feed it the input in chunks of any size and it hands back
/// the records each chunk completes, so a file of any length never sits in memory at once.
///
/// Accepted beyond the letter of RFC 4180, because spreadsheets write it: LF or lone CR line
/// ends as well as CRLF, a leading UTF-8 byte-order mark, no line break after the last record,
/// and a `"` inside an unquoted field (kept as text). Blank lines are skipped. Text after a
/// closing quote (`"ab"c`) and bytes that are not UTF-8 are kept as well as possible and reported
/// as problems of that record, so one bad row does not stop an import. Fields are collected as
/// bytes and decoded when complete, so a chunk may end anywhere, even inside a character.
public struct CSVReader: Sendable {
    /// The largest record accepted, in bytes: far above any real shipment row, and low enough
    /// that an unclosed quote fails fast instead of buffering the rest of a large file.
    public static let defaultRecordLimit = 1 << 20

    public let recordLimit: Int

    private enum State: Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private var state = State.fieldStart
    /// Bytes at the very start that may still turn out to be a byte-order mark.
    private var leadingBytes: [UInt8] = []
    private var atStart = true
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var fieldWasQuoted = false
    private var problems: [CSVRecord.Problem] = []
    private var recordBytes = 0
    private var recordNumber = 1
    private var recordLine = 1
    private var quoteLine = 1
    private var line = 1
    /// The previous byte was a CR: an LF right after it is the same line break.
    private var afterCR = false
    /// A CR ended the last record: an LF right after it ends nothing more.
    private var recordEndedOnCR = false
    /// The file error met so far: every later call throws it.
    private var failure: CSVFileError?

    public init(recordLimit: Int = CSVReader.defaultRecordLimit) {
        self.recordLimit = recordLimit
    }

    /// The records that end within `chunk`. A file error (a record over the limit) is thrown
    /// after the records that ended before it: the call that meets it returns those, and the
    /// next call, and every one after it, throws it. So where the file is cut into chunks never
    /// changes what a caller sees.
    public mutating func read(_ chunk: some Sequence<UInt8>) throws(CSVFileError) -> [CSVRecord] {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        // Contiguous input (Array, Data, a buffer view) is walked as a buffer: much faster than
        // a generic iterator in unoptimized builds.
        let walked: Void? = chunk.withContiguousStorageIfAvailable { buffer in
            for byte in buffer {
                do throws(CSVFileError) { try take(byte, into: &records) } catch {
                    failure = error
                    return
                }
            }
        }
        if walked == nil {
            for byte in chunk {
                do throws(CSVFileError) { try take(byte, into: &records) } catch {
                    failure = error
                    break
                }
            }
        }
        if let failure, records.isEmpty { throw failure }
        return records
    }

    /// Ends the input: the last record, if it had no line break after it.
    public mutating func finish() throws(CSVFileError) -> [CSVRecord] {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        if atStart { try replayLeadingBytes(into: &records) }
        if state == .quoted { throw .unterminatedQuote(row: recordNumber, line: quoteLine) }
        if state != .fieldStart || !fields.isEmpty || fieldWasQuoted {
            endRecord(into: &records)
        }
        return records
    }

    private mutating func take(_ byte: UInt8, into records: inout [CSVRecord]) throws(CSVFileError) {
        guard atStart else { return try step(byte, into: &records) }
        leadingBytes.append(byte)
        if leadingBytes == Array(Self.byteOrderMark.prefix(leadingBytes.count)) {
            if leadingBytes.count == Self.byteOrderMark.count {
                atStart = false
                leadingBytes = []
            }
            return
        }
        try replayLeadingBytes(into: &records)
    }

    /// The input did not start with a byte-order mark after all: its first bytes are text.
    private mutating func replayLeadingBytes(into records: inout [CSVRecord]) throws(CSVFileError) {
        atStart = false
        let pending = leadingBytes
        leadingBytes = []
        for byte in pending { try step(byte, into: &records) }
    }

    private mutating func step(_ byte: UInt8, into records: inout [CSVRecord]) throws(CSVFileError) {
        if byte == Self.cr || byte == Self.lf && !afterCR { line += 1 }
        afterCR = byte == Self.cr
        if recordEndedOnCR {
            recordEndedOnCR = false
            if byte == Self.lf { return }
        }

        switch state {
        case .fieldStart, .unquoted:
            switch byte {
            case Self.comma:
                endField()
            case Self.cr, Self.lf:
                endRecord(into: &records)
                recordEndedOnCR = byte == Self.cr
            case Self.quote where state == .fieldStart:
                state = .quoted
                fieldWasQuoted = true
                quoteLine = line
            default:
                state = .unquoted
                try append(byte)
            }
        case .quoted:
            if byte == Self.quote { state = .quoteInQuoted } else { try append(byte) }
        case .quoteInQuoted:
            switch byte {
            case Self.quote:
                state = .quoted
                try append(byte)
            case Self.comma:
                endField()
            case Self.cr, Self.lf:
                endRecord(into: &records)
                recordEndedOnCR = byte == Self.cr
            default:
                problems.append(.init(fieldIndex: fields.count, reason: "has text after its closing quote; quote the whole value and double any \" inside it"))
                state = .unquoted
                try append(byte)
            }
        }
    }

    private mutating func append(_ byte: UInt8) throws(CSVFileError) {
        recordBytes += 1
        if recordBytes > recordLimit { throw .recordTooLarge(row: recordNumber, line: recordLine, limit: recordLimit) }
        field.append(byte)
    }

    private mutating func endField() {
        recordBytes += 1
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            problems.append(.init(fieldIndex: fields.count, reason: "is not UTF-8 text; save the file as CSV UTF-8"))
            fields.append(String(decoding: field, as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        state = .fieldStart
    }

    private mutating func endRecord(into records: inout [CSVRecord]) {
        let isBlankLine = fields.isEmpty && field.isEmpty && !fieldWasQuoted
        if !isBlankLine {
            endField()
            records.append(CSVRecord(number: recordNumber, line: recordLine, fields: fields, problems: problems))
        }
        fields = []
        problems = []
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        state = .fieldStart
        recordBytes = 0
        recordNumber += 1
        recordLine = line
    }
}
