import Foundation
import Testing
import WaymarkCore
import WaymarkNotify
@testable import WaymarkProviders
import WaymarkSigning

@Suite("Inbound support: times, places, carriers, comparison")
struct InboundSupportTests {
    @Test(
        "ISO 8601 and RFC 3339 times keep the offset they were written in",
        arguments: [
            ("2026-07-01T10:20:00+08:00", utc(2026, 7, 1, 2, 20), 28_800),
            ("2026-07-01T10:20:00-05:30", utc(2026, 7, 1, 15, 50), -19_800),
            ("2026-07-01T10:20:00+0200", utc(2026, 7, 1, 8, 20), 7200),
            ("2026-07-01T10:20:00+02", utc(2026, 7, 1, 8, 20), 7200),
            ("2026-07-01t10:20:00z", utc(2026, 7, 1, 10, 20), 0),
            ("2026-07-01 10:20+01:00", utc(2026, 7, 1, 9, 20), 3600),
            ("2024-02-29T23:59:60Z", utc(2024, 2, 29, 23, 59, 59), 0),
            ("1969-12-31T23:00:00-01:00", utc(1970, 1, 1), -3600),
        ] as [(String, Date, Int)])
    func parsesWithOffset(text: String, date: Date, offset: Int) throws {
        let time = try #require(EventTime.parse(text))
        #expect(time.date == date)
        #expect(time.utcOffsetSeconds == offset)
    }

    @Test("Times without an offset are read as UTC with the offset unknown; a date alone is its midnight")
    func withoutOffset() throws {
        let local = try #require(EventTime.parse(" 2026-07-01T10:20:00.5 "))
        #expect(local.date == utc(2026, 7, 1, 10, 20).addingTimeInterval(0.5))
        #expect(local.utcOffsetSeconds == nil)
        let day = try #require(EventTime.parse("2026-07-03"))
        #expect(day.date == utc(2026, 7, 3))
        #expect(day.day == utc(2026, 7, 3))
        // The ETA day is the day as written, not the UTC day of the instant.
        #expect(EventTime.parse("2026-07-03T23:30:00-05:00")?.day == utc(2026, 7, 3))
    }

    @Test(
        "Text that is not such a time is refused",
        arguments: ["", "yesterday", "2026-7-1", "2026-02-30", "2026-13-01T00:00:00Z", "2026-07-01T24:00:00Z", "2026-07-01T10:20:00+25:00",
                    "2026-07-01T10:20:00Zjunk", "01/07/2026 10:20", "2026-07-01T10", "2026-07-01T10:20:00."])
    func refuses(text: String) {
        #expect(EventTime.parse(text) == nil)
    }

    @Test("Stand-alone UTC offsets and zone names", arguments: [
        ("+08:00", 28_800), ("-0530", -19_800), ("+8", 28_800), ("UTC+8", 28_800), ("GMT-03:00", -10_800), ("UTC", 0), ("Z", 0),
        ("Asia/Shanghai", 28_800), ("America/New_York", -14_400),
    ] as [(String, Int)])
    func offsets(text: String, seconds: Int) {
        #expect(EventTime.utcOffset(text, at: utc(2026, 7, 1)) == seconds)
    }

    @Test("Unreadable offsets are nil", arguments: ["", "+123", "Mars/Olympus", "eight"])
    func badOffsets(text: String) {
        #expect(EventTime.utcOffset(text, at: utc(2026, 7, 1)) == nil)
    }

    @Test("Places: two-letter countries upper-cased, common alpha-3 mapped, other text kept, free text as the city")
    func places() {
        #expect(ProviderPlace.make(city: " Lyon ", region: "", country: "fr") == Place(city: "Lyon", country: "FR"))
        #expect(ProviderPlace.make(country: "GBR") == Place(country: "GB"))
        #expect(ProviderPlace.make(country: "XYZ") == Place(country: "XYZ"))
        #expect(ProviderPlace.make(country: "United Kingdom") == Place(country: "United Kingdom"))
        #expect(ProviderPlace.make(city: nil, freeText: "HONG KONG") == Place(city: "HONG KONG"))
        #expect(ProviderPlace.make(city: "Hong Kong", freeText: "ignored when structured") == Place(city: "Hong Kong"))
        #expect(ProviderPlace.make(freeText: "  ").isEmpty)
    }

    @Test("Provider carrier names map to Waymark codes", arguments: [
        ("ups", "ups"), ("UPS", "ups"), ("usps", "usps"), ("FedEx", "fedex"), ("dhl", "dhl"), ("DHLExpress", "dhl"), ("dhl_express", "dhl"),
        ("royal-mail", "royal-mail"), ("RoyalMail", "royal-mail"), ("royal_mail", "royal-mail"), ("canada-post", "canada-post"),
        ("CanadaPost", "canada-post"), ("dhl-germany", "dhl-paket"), ("china-post", "china-post"), ("la-poste-colissimo", "la-poste"),
        ("spain-correos-es", "correos"), ("postnl-3s", "postnl"),
    ] as [(String, String)])
    func carriers(slug: String, code: String) {
        #expect(CarrierCodes.waymarkCode(for: slug) == code)
        #expect(CarrierRegistry.carrier(code: code) != nil)
    }

    @Test("Unknown carriers are nil")
    func unknownCarriers() {
        #expect(CarrierCodes.waymarkCode(for: "pigeon-post") == nil)
        #expect(CarrierCodes.waymarkCode(for: "") == nil)
        #expect(CarrierCodes.waymarkCode(for: nil) == nil)
    }

    @Test("Constant-time comparison is plain equality in result")
    func constantTime() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(ConstantTime.equals("", ""))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test("Every provider has an adapter under its own name")
    func registry() {
        for name in ProviderName.allCases {
            #expect(ProviderAdapters.adapter(for: name).name == name)
        }
        #expect(ProviderName(rawValue: "17track") == .seventeenTrack)
    }

    @Test("Headers are found whatever the case of their names")
    func headerLookup() {
        let request = InboundRequest(body: [], headers: ["X-Hmac-Signature": "a", "sign": "b"])
        #expect(request.header("x-hmac-signature") == "a")
        #expect(request.header("SIGN") == "b")
        #expect(request.header("missing") == nil)
    }

    @Test("Tracking numbers lose white space and gain upper case; an empty one is malformed")
    func trackingNumbers() throws {
        #expect(try TrackingNumber.required(" 1z 999\taa1 ", field: "n", provider: .shippo) == "1Z999AA1")
        #expect(inboundError { _ = try TrackingNumber.required("  ", field: "data.tracking_number", provider: .shippo) }
            == .malformed("shippo webhook body: data.tracking_number is required"))
    }
}
