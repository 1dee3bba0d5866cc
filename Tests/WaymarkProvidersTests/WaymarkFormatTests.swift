import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("Waymark generic webhooks")
struct WaymarkFormatTests {
    let adapter = ProviderAdapters.adapter(for: .waymark)
    /// The key is the bytes 1...32.
    let credentials = ProviderCredentials(secret: "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
    let now = utc(2026, 7, 2, 12)
    /// Signed with Python's hmac over "msg_2Lq5NbXbLjTn0k3T1nUeG.1782993600.<fixture>".
    let headers = [
        "webhook-id": "msg_2Lq5NbXbLjTn0k3T1nUeG", "webhook-timestamp": "1782993600",
        "webhook-signature": "v1,ZoW+4MUOO6P2dZaRLACLIAnaN4i8bR8AJMx3yzoGwwE=",
    ]

    func request() throws -> InboundRequest {
        InboundRequest(body: try Fixture.bytes("waymark-feed.json"), headers: headers)
    }

    @Test("A Standard Webhooks signature with the tenant's whsec_ secret verifies")
    func verifies() throws {
        #expect(inboundError { try adapter.verify(try request(), credentials: credentials, now: now) } == nil)
    }

    @Test("A flipped body byte or signature character, stale times, missing headers and bad secrets are refused")
    func refusals() throws {
        var tampered = try request()
        tampered.body = flipped(tampered.body, at: 25)
        #expect(inboundError { try adapter.verify(tampered, credentials: credentials, now: now) }?.kind == .badSignature)
        var badSignature = try request()
        badSignature.headers["webhook-signature"] = flipped(headers["webhook-signature"] ?? "", at: 8)
        #expect(inboundError { try adapter.verify(badSignature, credentials: credentials, now: now) }?.kind == .badSignature)
        var otherID = try request()
        otherID.headers["webhook-id"] = "msg_replayed_under_another_id"
        #expect(inboundError { try adapter.verify(otherID, credentials: credentials, now: now) }?.kind == .badSignature)
        #expect(inboundError { try adapter.verify(try request(), credentials: credentials, now: now.addingTimeInterval(3600)) }?.kind == .staleTimestamp)
        var missing = try request()
        missing.headers["webhook-signature"] = nil
        #expect(inboundError { try adapter.verify(missing, credentials: credentials, now: now) }?.kind == .missingSignature)
        #expect(inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(), now: now) }?.kind == .notConfigured)
        let unusable = inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(secret: "whsec_"), now: now) }
        #expect(unusable?.kind == .notConfigured)
        #expect(unusable?.message.contains("unusable") == true)
    }

    @Test("A feed decodes: webhook-id as event id, substatus in either form, countries normalized, ETA day")
    func decodes() throws {
        let webhook = try adapter.decode(try request())
        #expect(webhook.eventID == "msg_2Lq5NbXbLjTn0k3T1nUeG")
        let update = try #require(webhook.updates.first)
        #expect(update.trackingNumber == "ACME-000123")
        #expect(update.carrier == "dhl-paket")
        #expect(update.eta == utc(2026, 7, 5))
        #expect(update.events.count == 2)

        let arrived = update.events[0]
        #expect(arrived.occurredAt == utc(2026, 7, 3, 7))
        #expect(arrived.utcOffsetSeconds == 7200)
        #expect(arrived.substatus == Substatus(status: .inTransit, reason: "arrived"))
        #expect(arrived.rawCode == "in_transit.arrived")
        #expect(arrived.location == Place(city: "Köln", region: "NRW", country: "DE"))
        #expect(arrived.source == "waymark")

        let delivered = update.events[1]
        #expect(delivered.occurredAt == utc(2026, 7, 4, 16, 20).addingTimeInterval(0.25))
        #expect(delivered.utcOffsetSeconds == 0)
        #expect(delivered.substatus?.description == "delivered.left_with_neighbor")
        #expect(delivered.location == Place(city: "Köln", country: "DE"))
    }

    @Test("Waymark's own format is strict: an unknown status is refused, naming the field and the statuses")
    func unknownStatus() {
        let error = decodeError(adapter, #"{"tracking_number": "1", "events": [{"occurred_at": "2026-07-01T10:00:00Z", "status": "shipped", "message": "x"}]}"#)
        #expect(error?.kind == .malformed)
        #expect(error?.message.hasPrefix("waymark webhook body: events[0].status: 'shipped' is not a Waymark status (pending, info_received,") == true)
    }

    @Test("A Waymark status is read whatever its case or separators")
    func statusSpelling() throws {
        for spelling in ["Out-For-Delivery", "OUT_FOR_DELIVERY", "out for delivery"] {
            let body = #"{"tracking_number": "1", "events": [{"occurred_at": "2026-07-01T10:00:00Z", "status": "\#(spelling)", "message": "x"}]}"#
            let webhook = try adapter.decode(InboundRequest(body: Array(body.utf8), headers: [:]))
            #expect(webhook.updates.first?.events.first?.status == .outForDelivery, "\(spelling)")
        }
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "tracking_number=1")?.message.contains("not valid JSON") == true)
        #expect(decodeError(adapter, #"{"events": []}"#) == .malformed("waymark webhook body: tracking_number is required"))
        let noOffset = decodeError(adapter, #"{"tracking_number": "1", "events": [{"occurred_at": "2026-07-01T10:00:00", "status": "delivered"}]}"#)
        #expect(noOffset?.message.contains("events[0].occurred_at: '2026-07-01T10:00:00' is not an RFC 3339 time with an offset") == true)
        let noTime = decodeError(adapter, #"{"tracking_number": "1", "events": [{"status": "delivered"}]}"#)
        #expect(noTime == .malformed("waymark webhook body: events[0].occurred_at is required"))
        let badSubstatus = decodeError(adapter, #"{"tracking_number": "1", "events": [{"occurred_at": "2026-07-01T10:00:00Z", "status": "delivered", "substatus": "exception.lost"}]}"#)
        #expect(badSubstatus?.message == "waymark webhook body: events[0].substatus: substatus 'exception.lost' does not belong to status 'delivered'")
        let notSnake = decodeError(adapter, #"{"tracking_number": "1", "events": [{"occurred_at": "2026-07-01T10:00:00Z", "status": "delivered", "substatus": "Left With Neighbour"}]}"#)
        #expect(notSnake?.message.contains("events[0].substatus") == true)
    }
}
