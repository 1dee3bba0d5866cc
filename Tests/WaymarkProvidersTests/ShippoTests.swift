import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("Shippo webhooks")
struct ShippoTests {
    let adapter = ProviderAdapters.adapter(for: .shippo)
    let credentials = ProviderCredentials(secret: "shippo-hook-token-7Qx2")
    let now = utc(2026, 7, 4, 7)

    func request(token: String?) throws -> InboundRequest {
        InboundRequest(body: try Fixture.bytes("shippo-track-updated.json"), query: token.map { ["token": $0] } ?? [:])
    }

    @Test("The tenant's token in the query verifies")
    func verifies() throws {
        #expect(inboundError { try adapter.verify(try request(token: "shippo-hook-token-7Qx2"), credentials: credentials, now: now) } == nil)
    }

    @Test("A wrong, missing or unconfigured token is refused")
    func refusals() throws {
        let wrong = inboundError { try adapter.verify(try request(token: flipped("shippo-hook-token-7Qx2", at: 4)), credentials: credentials, now: now) }
        #expect(wrong?.kind == .badSignature)
        #expect(inboundError { try adapter.verify(try request(token: "shippo-hook-token-7Qx"), credentials: credentials, now: now) }?.kind == .badSignature)
        let missing = inboundError { try adapter.verify(try request(token: nil), credentials: credentials, now: now) }
        #expect(missing?.kind == .missingSignature)
        #expect(missing?.message.contains("?token=") == true)
        #expect(inboundError { try adapter.verify(try request(token: ""), credentials: credentials, now: now) }?.kind == .missingSignature)
        #expect(inboundError { try adapter.verify(try request(token: "x"), credentials: ProviderCredentials(), now: now) }?.kind == .notConfigured)
    }

    @Test("A track_updated event decodes; the current status and its history entry merge")
    func decodes() throws {
        let webhook = try adapter.decode(try request(token: nil))
        #expect(webhook.eventID == nil)
        let update = try #require(webhook.updates.first)
        #expect(update.trackingNumber == "1234567890")
        #expect(update.carrier == "dhl")
        #expect(update.eta == utc(2026, 7, 4))
        #expect(update.events.count == 3)
        #expect(update.events.map(\.status) == [.infoReceived, .inTransit, .outForDelivery])

        let departed = update.events[1]
        #expect(departed.occurredAt == utc(2026, 7, 1, 17, 30))
        #expect(departed.utcOffsetSeconds == 8 * 3600)
        #expect(departed.substatus?.description == "in_transit.departed")
        #expect(departed.rawCode == "TRANSIT/package_departed")
        #expect(departed.location == Place(city: "Hong Kong", country: "HK"))

        let out = update.events[2]
        #expect(out.occurredAt == utc(2026, 7, 4, 6, 12))
        #expect(out.utcOffsetSeconds == 2 * 3600)
        #expect(out.rawCode == "TRANSIT/out_for_delivery")
        #expect(out.message == "With delivery courier")
        #expect(out.location == Place(city: "Berlin", region: "BE", country: "DE"))
    }

    @Test("A bare substatus string is read like the object form")
    func substatusString() throws {
        let body = #"{"data": {"tracking_number": "1", "tracking_status": {"status": "TRANSIT", "substatus": "pickup_available", "status_date": "2026-07-01T10:00:00Z"}}}"#
        let event = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first?.events.first)
        #expect(event.status == .availableForPickup)
    }

    @Test("Unknown statuses are in_transit; an unknown substatus keeps its status")
    func unknownStatus() throws {
        let body = #"""
        {"data": {"tracking_number": "1", "tracking_history": [
          {"status": "WANDERING", "status_date": "2026-07-01T10:00:00Z"},
          {"status": "FAILURE", "substatus": {"code": "gremlins"}, "status_date": "2026-07-02T10:00:00Z"}]}}
        """#
        let events = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first?.events)
        #expect(events.map(\.status) == [.inTransit, .attemptFail])
        #expect(events.map(\.substatus) == [nil, nil])
        #expect(events.map(\.rawCode) == ["WANDERING", "FAILURE/gremlins"])
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "{\"data\": ")?.kind == .malformed)
        #expect(decodeError(adapter, #"{"event": "track_updated"}"#) == .malformed("shippo webhook body: data is required"))
        #expect(decodeError(adapter, #"{"data": {"carrier": "usps"}}"#) == .malformed("shippo webhook body: data.tracking_number is required"))
        #expect(decodeError(adapter, #"{"data": {"tracking_number": "1", "tracking_history": [{"status": 3}]}}"#)?.message == "shippo webhook body: data.tracking_history[0].status must be a string")
    }
}
