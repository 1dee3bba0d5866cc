import Foundation
import Testing
import WaymarkCore

@Suite("RFC 3339 times")
struct RFC3339Tests {
    @Test("Parses offsets, Z, fractions and a space separator, keeping the offset")
    func parses() throws {
        let berlin = try #require(RFC3339.parse("2026-11-27T09:30:00+01:00"))
        #expect(berlin.date == Date(timeIntervalSince1970: 1_795_768_200))
        #expect(berlin.utcOffsetSeconds == 3_600)
        let utc = try #require(RFC3339.parse("2026-11-27T08:30:00Z"))
        #expect(utc.date == berlin.date && utc.utcOffsetSeconds == 0)
        let fraction = try #require(RFC3339.parse("2026-11-27 08:30:00.250-05:30"))
        #expect(fraction.date.timeIntervalSince1970 == 1_795_768_200 + 5.5 * 3_600 + 0.25)
        #expect(fraction.utcOffsetSeconds == -19_800)
        #expect(RFC3339.parse("2026-11-27T08:30:00")?.utcOffsetSeconds == nil, "no offset reads as UTC, marked unknown")
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil, "leap day")
    }

    @Test("Refuses impossible dates, offsets beyond ±18:00 and stray text",
          arguments: ["2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-27T24:00:00Z",
                      "2026-11-27T09:30:00+18:59", "2026-11-27T09:30:00+19:00", "2026-11-27T09:30:00+0100", "2026-11-27T09:30:00Zx",
                      "2026-11-27", "yesterday", "", "2026-11-27T09:30:00."])
    func refuses(_ text: String) {
        #expect(RFC3339.parse(text) == nil, "\(text)")
    }

    @Test("Formats in the event's own offset and round-trips")
    func formats() throws {
        let date = Date(timeIntervalSince1970: 1_795_768_200)
        #expect(RFC3339.format(date) == "2026-11-27T08:30:00Z")
        #expect(RFC3339.format(date, utcOffsetSeconds: 3_600) == "2026-11-27T09:30:00+01:00")
        #expect(RFC3339.format(date, utcOffsetSeconds: -34_200) == "2026-11-26T23:00:00-09:30")
        for offset in [nil, 0, 3_600, -18_000, 50_400] as [Int?] {
            let text = RFC3339.format(date, utcOffsetSeconds: offset)
            #expect(RFC3339.parse(text)?.date == date, "\(text)")
        }
        #expect(RFC3339.format(Date(timeIntervalSince1970: -86_400)) == "1969-12-31T00:00:00Z")
    }

    @Test("Days: a date, or the local day of a full time, as midnight UTC")
    func days() throws {
        let day = try #require(RFC3339.parseDay("2026-12-24"))
        #expect(RFC3339.day(day) == "2026-12-24")
        #expect(RFC3339.parseDay("2026-12-24T23:30:00-05:00").map(RFC3339.day) == "2026-12-24", "the local day, not the UTC one")
        #expect(RFC3339.parseDay("2026-02-30") == nil)
    }
}

@Suite("Pushed checkpoints")
struct PushedCheckpointTests {
    let now = Date(timeIntervalSince1970: 1_795_780_800)

    @Test("A valid push becomes a checkpoint with its offset and an uppercased country")
    func valid() throws {
        let event = try CheckpointEvent.validated(
            status: "delivered", substatus: "delivered.signed", message: "Signed by J.", occurredAt: "2026-11-27T08:30:00-05:00",
            location: Place(city: "Brooklyn", region: "NY", country: "us"), source: "api", now: now)
        #expect(event.status == .delivered)
        #expect(event.substatus?.description == "delivered.signed")
        #expect(event.utcOffsetSeconds == -18_000)
        #expect(event.location.country == "US")
    }

    @Test("Every problem is reported with its field")
    func problems() {
        #expect {
            _ = try CheckpointEvent.validated(
                status: "teleported", substatus: nil, message: " ", occurredAt: "soon", location: Place(country: "USA"), source: "api", now: now)
        } throws: { error in
            let fields = Set((error as? ValidationErrors)?.problems.compactMap(\.field) ?? [])
            return fields == ["status", "message", "occurred_at", "location.country"]
        }
        #expect(throws: ValidationErrors.self) {
            _ = try CheckpointEvent.validated(
                status: "in_transit", substatus: "delivered.signed", message: "x", occurredAt: "2026-11-27T08:30:00Z", location: nil, source: "api", now: now)
        }
        #expect(throws: ValidationErrors.self, "two days ahead is refused") {
            _ = try CheckpointEvent.validated(
                status: "in_transit", substatus: nil, message: "x", occurredAt: "2026-11-29T13:00:00Z", location: nil, source: "api", now: now)
        }
    }

    @Test("Tracking numbers in updates are compared uppercased without spaces")
    func normalizedNumbers() {
        #expect(TrackingUpdate(trackingNumber: " 1z 999 aa1 ").trackingNumber == "1Z999AA1")
    }
}
