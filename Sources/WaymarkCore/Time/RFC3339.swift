import Foundation

/// RFC 3339 timestamps, keeping the offset: a carrier scan at 09:00 in Berlin stays "09:00+01:00"
/// on the page, not "08:00Z". Parsing and formatting are plain arithmetic (no Calendar, no
/// formatter objects), because ingest parses every event of every webhook.
public enum RFC3339 {
    public struct Timestamp: Equatable, Sendable {
        public var date: Date
        /// Offset from UTC in seconds; nil when the text carried none (read as UTC).
        public var utcOffsetSeconds: Int?
    }

    /// `2026-11-27T09:00:00+01:00`, `…Z`, fractional seconds, a space instead of `T`, and (leniently)
    /// no offset at all. Nil for anything else, including impossible dates like February 30.
    public static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.trimmingWhitespace.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset: Int?
        if index < bytes.count {
            if expect("Zz") {
                offset = 0
            } else {
                guard index < bytes.count else { return nil }
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                // Real offsets lie within ±18:00 (RFC 3339 allows more; no place on Earth uses it).
                guard expect("+-"), let hours = number(2), expect(":"), let minutes = number(2), minutes < 60,
                      hours * 3600 + minutes * 60 <= 18 * 3600
                else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
            }
        }
        guard index == bytes.count else { return nil }
        let localSeconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + min(second, 59)
        let utc = Double(localSeconds - (offset ?? 0)) + fraction
        return Timestamp(date: Date(timeIntervalSince1970: utc), utcOffsetSeconds: offset)
    }

    /// `2026-11-27T09:00:00+01:00`, or `…Z` when the offset is zero or unknown.
    public static func format(_ date: Date, utcOffsetSeconds: Int? = nil) -> String {
        let offset = utcOffsetSeconds ?? 0
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = local - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
            + pad(secondsOfDay / 3600, 2) + ":" + pad(secondsOfDay % 3600 / 60, 2) + ":" + pad(secondsOfDay % 60, 2)
        if offset == 0 {
            text += "Z"
        } else {
            text += (offset < 0 ? "-" : "+") + pad(abs(offset) / 3600, 2) + ":" + pad(abs(offset) % 3600 / 60, 2)
        }
        return text
    }

    /// `YYYY-MM-DD` of a day stored as midnight UTC (an ETA).
    public static func day(_ date: Date) -> String { String(format(date).prefix(10)) }

    /// `YYYY-MM-DD`, or a full timestamp whose local day is taken, as midnight UTC.
    public static func parseDay(_ text: String) -> Date? {
        let trimmed = text.trimmingWhitespace
        if trimmed.utf8.count == 10, let full = parse(trimmed + "T00:00:00Z") { return full.date }
        guard let stamp = parse(trimmed) else { return nil }
        let local = stamp.date.timeIntervalSince1970 + Double(stamp.utcOffsetSeconds ?? 0)
        return Date(timeIntervalSince1970: (local / 86_400).rounded(.down) * 86_400)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
    /// Days from 1970-01-01 to a date.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01: year, month, day.
    public static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
