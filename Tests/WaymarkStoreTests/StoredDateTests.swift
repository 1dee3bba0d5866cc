import Foundation
import GRDB
import Testing
@testable import WaymarkStore

@Suite("StoredDate: GRDB's date text without its formatter")
struct StoredDateTests {
    /// Dates a seeded generator spreads over years 1 to 9999, with and without fractions of a
    /// millisecond, plus the edges a calendar gets wrong.
    static func dates() -> [Date] {
        var generator = SeededGenerator(seed: 20261205)
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: -1),
            Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 4_107_542_399.999),  // 2000-02-29, 2100-02-28 23:59:59.999
            Date(timeIntervalSince1970: 1_764_230_400.123), Date(timeIntervalSince1970: 1_764_230_400.1239999),
            Date(timeIntervalSince1970: -62_135_596_800), Date(timeIntervalSince1970: 253_402_300_799.999),
            Date(timeIntervalSince1970: 253_402_300_800), Date(timeIntervalSince1970: -62_135_596_800.001),
            Date(), Date.distantPast, Date.distantFuture,
        ]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -62_135_596_800..<253_402_300_800, using: &generator)))
            dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0..<4_102_444_800_000, using: &generator)) / 1000))
        }
        return dates
    }

    @Test("The text is GRDB's, character for character")
    func sameTextAsGRDB() {
        for date in Self.dates() {
            #expect(StoredDate(date).databaseValue == date.databaseValue, "\(date.timeIntervalSince1970)")
        }
    }

    @Test("A time read back by GRDB is written again as the same text and counts the same milliseconds")
    func roundTrip() throws {
        for date in Self.dates() {
            guard let text = StoredDate.text(date) else { continue }
            let read = try #require(Date.fromDatabaseValue(text.databaseValue))
            #expect(StoredDate.text(read) == text)
            #expect(StoredDate.milliseconds(read) == StoredDate.milliseconds(date), "\(text)")
        }
    }
}

/// SplitMix64: the same numbers on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
