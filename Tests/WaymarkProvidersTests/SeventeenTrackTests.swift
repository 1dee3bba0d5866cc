import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("17TRACK webhooks")
struct SeventeenTrackTests {
    let adapter = ProviderAdapters.adapter(for: .seventeenTrack)
    let credentials = ProviderCredentials(apiKey: "17token-test-key")
    let now = utc(2026, 7, 3)
    /// hex SHA-256 of the fixture + "/17token-test-key" (computed with Python's hashlib).
    let signature = "fce12b27c8744c90e916ab0f6d7102a355dc2c462c2205e0535b46328ab3ebce"

    func request() throws -> InboundRequest {
        InboundRequest(body: try Fixture.bytes("seventeentrack-updated.json"), headers: ["sign": signature])
    }

    @Test("The documented hash of body and key verifies")
    func verifies() throws {
        #expect(inboundError { try adapter.verify(try request(), credentials: credentials, now: now) } == nil)
        #expect(inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(secret: "17token-test-key"), now: now) } == nil)
    }

    @Test("A flipped body byte or signature character, a missing header or key are refused")
    func refusals() throws {
        var tampered = try request()
        tampered.body = flipped(tampered.body, at: 100)
        #expect(inboundError { try adapter.verify(tampered, credentials: credentials, now: now) }?.kind == .badSignature)
        var badSignature = try request()
        badSignature.headers["sign"] = flipped(signature, at: 0)
        #expect(inboundError { try adapter.verify(badSignature, credentials: credentials, now: now) }?.kind == .badSignature)
        #expect(inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(apiKey: "other"), now: now) }?.kind == .badSignature)
        var missing = try request()
        missing.headers = [:]
        #expect(inboundError { try adapter.verify(missing, credentials: credentials, now: now) } == .missingSignature("the sign header is missing"))
        #expect(inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(), now: now) }?.kind == .notConfigured)
    }

    @Test("An update decodes: numeric carrier, sub-statuses and stages, time_iso offsets, addresses")
    func decodes() throws {
        let webhook = try adapter.decode(try request())
        #expect(webhook.eventID == nil)
        let update = try #require(webhook.updates.first)
        #expect(update.trackingNumber == "9400111899223197428490")
        #expect(update.carrier == "usps")
        #expect(update.events.map(\.message) == [
            "Accepted at USPS Origin Facility", "Departed USPS Regional Facility", "Arrived at USPS Facility", "Out for Delivery",
            "Notice left (No authorized recipient available)",
        ])
        let accepted = update.events[0]
        #expect(accepted.occurredAt == utc(2026, 6, 29, 17))
        #expect(accepted.utcOffsetSeconds == -7 * 3600)
        #expect(accepted.substatus?.description == "in_transit.accepted")
        #expect(accepted.rawCode == "PickedUp")
        #expect(accepted.location == Place(city: "LOS ANGELES", region: "CA", country: "US"))

        // time_iso without an offset: the UTC time is the instant, the offset unknown.
        let departed = update.events[1]
        #expect(departed.occurredAt == utc(2026, 7, 1, 2, 44))
        #expect(departed.utcOffsetSeconds == nil)
        #expect(departed.substatus?.description == "in_transit.departed")
        #expect(departed.location == Place(city: "PALATINE IL DISTRIBUTION CENTER"))

        // No stage, not the newest: history, in transit.
        #expect(update.events[2].status == .inTransit)
        #expect(update.events[2].rawCode == nil)
        #expect(update.events[3].status == .outForDelivery)

        let notice = update.events[4]
        #expect(notice.occurredAt == utc(2026, 7, 2, 23, 5))
        #expect(notice.utcOffsetSeconds == -5 * 3600)
        #expect(notice.status == .attemptFail)
        #expect(notice.substatus?.description == "attempt_fail.recipient_unavailable")
        #expect(notice.rawCode == "DeliveryFailure_NoBody")
        #expect(notice.location == Place(city: "CHICAGO", region: "IL", country: "US"))
    }

    @Test("The latest status lands on a newest event without a stage; unknown codes fall back to their family or in_transit")
    func latestAndUnknown() throws {
        let body = #"""
        {"event": "TRACKING_UPDATED", "data": {"number": "RR123", "carrier": 999999, "track_info": {
          "latest_status": {"status": "Exception", "sub_status": "Exception_Returned"},
          "tracking": {"providers": [{"events": [
            {"time_iso": "2026-07-01T10:00:00+02:00", "description": "Returned", "stage": null},
            {"time_iso": "2026-06-30T10:00:00+02:00", "description": "Odd", "stage": "Hovering"},
            {"time_iso": "2026-06-29T10:00:00+02:00", "description": "Odder", "sub_status": "Delivered_Unheard"}]}]}}}}
        """#
        let update = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first)
        #expect(update.carrier == nil)
        #expect(update.events.map(\.status) == [.delivered, .inTransit, .exception])
        #expect(update.events.map(\.rawCode) == ["Delivered_Unheard", "Hovering", "Exception_Returned"])
        #expect(update.events[2].substatus?.description == "exception.returned_to_sender")
    }

    @Test("TRACKING_STOPPED without track_info is an update with no events")
    func stopped() throws {
        let body = #"{"event": "TRACKING_STOPPED", "data": {"number": "RR123", "carrier": "3011", "track_info": null}}"#
        let update = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first)
        #expect(update.carrier == "china-post")
        #expect(update.events.isEmpty)
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "nope")?.message.contains("not valid JSON") == true)
        #expect(decodeError(adapter, #"{"event": "TRACKING_UPDATED"}"#) == .malformed("17track webhook body: data is required"))
        #expect(decodeError(adapter, #"{"data": {"carrier": 100002}}"#) == .malformed("17track webhook body: data.number is required"))
        let badTime = decodeError(adapter, #"{"data": {"number": "1", "track_info": {"tracking": {"providers": [{"events": [{"time_utc": "2026-13-01T00:00:00Z"}]}]}}}}"#)
        #expect(badTime?.message.hasPrefix("17track webhook body: data.track_info.tracking.providers[0].events[0].time_utc: '2026-13-01T00:00:00Z'") == true)
    }
}
