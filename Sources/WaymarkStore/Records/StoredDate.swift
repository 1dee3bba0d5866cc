import Foundation
import GRDB
import WaymarkCore

/// A date written as GRDB writes one, "yyyy-MM-dd HH:mm:ss.SSS" in UTC, without its
/// `DateFormatter`: formatting a date through ICU cost about 6% of the writer's time on ingest,
/// where every event binds three or four. The text is the same to the character (checked against
/// GRDB's own in `StoredDateTests`), so rows written either way compare and sort alike. Reading is
/// GRDB's.
struct StoredDate: DatabaseValueConvertible {
    var date: Date

    init(_ date: Date) {
        self.date = date
    }

    var databaseValue: DatabaseValue {
        guard let text = Self.text(date) else { return date.databaseValue }
        return text.databaseValue
    }

    static func fromDatabaseValue(_ value: DatabaseValue) -> StoredDate? {
        Date.fromDatabaseValue(value).map(StoredDate.init)
    }

    /// Milliseconds since 1970 as the text counts them: from the reference date, to the nearest
    /// (halves up), as Foundation hands a date to ICU. A time GRDB reads back from its text lands
    /// a hair off the millisecond written and counts as that millisecond again.
    static func milliseconds(_ date: Date) -> Double {
        ((date.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000 + 0.5).rounded(.down)
    }

    /// The text for years 1583 to 9999; nil outside them, where GRDB's formatter decides (it
    /// writes earlier years on the Julian calendar).
    static func text(_ date: Date) -> String? {
        let total = milliseconds(date)
        guard total >= -12_212_553_600_000, total < 253_402_300_800_000 else { return nil }
        let millis = Int64(total)
        let (days, dayMillis) = millis.floorDivided(by: 86_400_000)
        let (year, month, day) = RFC3339.civil(fromDays: Int(days))
        let seconds = dayMillis / 1000
        var bytes = [UInt8](repeating: 0, count: 23)
        func put(_ value: Int64, at offset: Int, digits: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int64(year), at: 0, digits: 4)
        put(Int64(month), at: 5, digits: 2)
        put(Int64(day), at: 8, digits: 2)
        put(seconds / 3600, at: 11, digits: 2)
        put(seconds / 60 % 60, at: 14, digits: 2)
        put(seconds % 60, at: 17, digits: 2)
        put(dayMillis % 1000, at: 20, digits: 3)
        for (offset, separator) in [(4, "-"), (7, "-"), (10, " "), (13, ":"), (16, ":"), (19, ".")] as [(Int, Unicode.Scalar)] {
            bytes[offset] = UInt8(ascii: separator)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension Int64 {
    /// Quotient and remainder rounded toward negative infinity: days before 1970 count down.
    func floorDivided(by divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
