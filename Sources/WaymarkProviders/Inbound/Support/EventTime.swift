import Foundation
import WaymarkCore

/// An instant read from a provider's ISO 8601 / RFC 3339 text, with the UTC offset the text was
/// written in when it had one: the offset is where the scan happened, which the tracking page shows.
struct EventTime: Equatable, Sendable {
    var date: Date
    /// Seconds east of UTC as written; nil when the text carried no offset (then read as UTC).
    var utcOffsetSeconds: Int?
    /// Midnight UTC of the calendar day as written, whatever the offset: an ETA names a day.
    var day: Date

    /// An instant known only in UTC (a Unix time), with no offset of a place.
    init(unixTime date: Date) {
        let days = (date.timeIntervalSince1970 / 86_400).rounded(.down)
        self.init(date: date, utcOffsetSeconds: nil, day: Date(timeIntervalSince1970: days * 86_400))
    }

    init(date: Date, utcOffsetSeconds: Int?, day: Date) {
        self.date = date
        self.utcOffsetSeconds = utcOffsetSeconds
        self.day = day
    }

    /// Reads `2026-07-01T10:20:00+08:00`, with `T`, `t` or a space between date and time, seconds
    /// and fraction optional, and `Z`, `±hh:mm`, `±hhmm` or `±hh` as the offset. A bare date is
    /// midnight UTC. Returns nil for anything else.
    static func parse(_ text: String) -> EventTime? {
        var scanner = DigitScanner(Array(text.trimmingWhitespace.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let dayOfMonth = scanner.number(digits: 2),
              (1...12).contains(month), (1...RFC3339.daysIn(month: month, year: year)).contains(dayOfMonth)
        else { return nil }
        let days = RFC3339.daysFromCivil(year: year, month: month, day: dayOfMonth)
        let midnight = Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
        if scanner.isAtEnd { return EventTime(date: midnight, utcOffsetSeconds: nil, day: midnight) }

        guard scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        var second = 0
        var fraction = 0.0
        if scanner.skip(":") {
            guard let value = scanner.number(digits: 2), value <= 60 else { return nil }
            second = min(value, 59)  // a leap second is read as the second before it
            if scanner.skip(".") || scanner.skip(",") {
                guard let digits = scanner.digitRun(), !digits.isEmpty else { return nil }
                fraction = Double("0." + digits) ?? 0
            }
        }
        var offset: Int?
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign = scanner.sign() {
            guard let hours = scanner.number(digits: 2), hours <= 18 else { return nil }
            var minutes = 0
            if !scanner.isAtEnd {
                _ = scanner.skip(":")
                guard let value = scanner.number(digits: 2), value < 60 else { return nil }
                minutes = value
            }
            // Real offsets lie within ±18:00; the store refuses anything beyond.
            guard hours * 3600 + minutes * 60 <= 18 * 3600 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd else { return nil }
        let wallClock = TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
        return EventTime(
            date: Date(timeIntervalSince1970: wallClock - TimeInterval(offset ?? 0)), utcOffsetSeconds: offset, day: midnight)
    }

    /// A UTC offset written on its own, as some providers send it beside a local time: `+08:00`,
    /// `-0530`, `+8`, `UTC+8`, `GMT-03:00`, `Z`, `UTC`, or an IANA zone name (its offset at `date`).
    static func utcOffset(_ text: String, at date: Date) -> Int? {
        var value = text.trimmingWhitespace
        if value.isEmpty { return nil }
        if let zone = TimeZone(identifier: value), value.contains("/") { return zone.secondsFromGMT(for: date) }
        for prefix in ["UTC", "GMT"] where value.uppercased().hasPrefix(prefix) { value = String(value.dropFirst(prefix.count)) }
        if value.isEmpty || value == "Z" || value == "z" { return 0 }
        var scanner = DigitScanner(Array(value.utf8))
        guard let sign = scanner.sign(), let digits = scanner.digitRun(), [1, 2, 4].contains(digits.count) else { return nil }
        // `+8`, `+08`, or `+0530` with the minutes run on.
        guard let hours = Int(digits.prefix(2)), hours <= 18 else { return nil }
        var minutes = digits.count == 4 ? Int(digits.suffix(2)) ?? 60 : 0
        if digits.count != 4, !scanner.isAtEnd {
            _ = scanner.skip(":")
            guard let value = scanner.number(digits: 2), value < 60 else { return nil }
            minutes = value
        }
        guard scanner.isAtEnd, minutes < 60, hours * 3600 + minutes * 60 <= 18 * 3600 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}

/// Reads ASCII digits and punctuation from the front of a byte string.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    /// +1 or -1 for a leading `+` or `-` (or the Unicode minus sign some feeds use).
    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        let minus: [UInt8] = [0xE2, 0x88, 0x92]
        if bytes[index...].starts(with: minus) {
            index += minus.count
            return -1
        }
        return nil
    }

    /// Exactly `digits` ASCII digits as a number.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }

    /// All consecutive ASCII digits, possibly none.
    mutating func digitRun() -> String? {
        let start = index
        while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
