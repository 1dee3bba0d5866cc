import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("EasyPost webhooks")
struct EasyPostTests {
    let adapter = ProviderAdapters.adapter(for: .easypost)
    /// Not in NFKD form: "é" is precomposed and "ﬁ" a ligature, so only a verifier that normalizes
    /// the secret as EasyPost does accepts the signature.
    let credentials = ProviderCredentials(secret: "easypost-sécret-ﬁ")
    let now = utc(2026, 7, 2, 17)
    /// hex HMAC-SHA256 of the fixture keyed with NFKD(secret) (computed with Python's hmac).
    let signature = "hmac-sha256-hex=da64d041aa9140c337ed1d98b8a4ae16233ec69d546a15267782bca588e9b9b8"

    func request() throws -> InboundRequest {
        InboundRequest(body: try Fixture.bytes("easypost-tracker-updated.json"), headers: ["x-hmac-signature": signature])
    }

    @Test("The signature keyed with the NFKD-normalized secret verifies")
    func verifies() throws {
        #expect(inboundError { try adapter.verify(try request(), credentials: credentials, now: now) } == nil)
        // Keyed with the secret's bytes as typed, the signature would differ.
        var unnormalized = try request()
        unnormalized.headers["x-hmac-signature"] = "hmac-sha256-hex=d1ecd1271a6c19388cf23c37bb1f79cf7d2c946133d3add29c08aaaf46e2b771"
        #expect(inboundError { try adapter.verify(unnormalized, credentials: credentials, now: now) }?.kind == .badSignature)
    }

    @Test("A flipped body byte or signature character, a wrong prefix, a missing header or secret are refused")
    func refusals() throws {
        var tampered = try request()
        tampered.body = flipped(tampered.body, at: 12)
        #expect(inboundError { try adapter.verify(tampered, credentials: credentials, now: now) }?.kind == .badSignature)
        var badSignature = try request()
        badSignature.headers["x-hmac-signature"] = flipped(signature, at: 30)
        #expect(inboundError { try adapter.verify(badSignature, credentials: credentials, now: now) }?.kind == .badSignature)
        var noPrefix = try request()
        noPrefix.headers["x-hmac-signature"] = String(signature.dropFirst("hmac-sha256-hex=".count))
        #expect(inboundError { try adapter.verify(noPrefix, credentials: credentials, now: now) } == .badSignature("the X-Hmac-Signature header must start with hmac-sha256-hex="))
        var missing = try request()
        missing.headers = [:]
        #expect(inboundError { try adapter.verify(missing, credentials: credentials, now: now) }?.kind == .missingSignature)
        #expect(inboundError { try adapter.verify(try request(), credentials: ProviderCredentials(), now: now) }?.kind == .notConfigured)
    }

    @Test("A tracker.updated event decodes: details, offsets, places, ETA")
    func decodes() throws {
        let webhook = try adapter.decode(try request())
        #expect(webhook.eventID == "evt_0b5f1d8a2c3e4f5a6b7c8d9e")
        let update = try #require(webhook.updates.first)
        #expect(update.trackingNumber == "9400110898825022579493")
        #expect(update.carrier == "usps")
        #expect(update.eta == utc(2026, 7, 3))
        #expect(update.events.map(\.status) == [.infoReceived, .inTransit, .delivered])

        let preShipment = update.events[0]
        #expect(preShipment.occurredAt == utc(2026, 6, 30, 14, 2))
        #expect(preShipment.utcOffsetSeconds == 0)
        #expect(preShipment.location.isEmpty)
        #expect(preShipment.rawCode == "pre_transit/status_update")

        let arrived = update.events[1]
        #expect(arrived.occurredAt == utc(2026, 7, 1, 8, 15))
        #expect(arrived.utcOffsetSeconds == -5 * 3600)
        #expect(arrived.substatus?.description == "in_transit.arrived")
        #expect(arrived.location == Place(city: "CHICAGO IL DISTRIBUTION CENTER", region: "IL", country: "US"))

        let delivered = update.events[2]
        #expect(delivered.substatus == nil)
        #expect(delivered.message == "Delivered, In/At Mailbox")
        #expect(delivered.source == "easypost")
    }

    @Test("Events about other objects are accepted with nothing to record")
    func otherEvents() throws {
        let webhook = try adapter.decode(InboundRequest(body: bytes(#"{"id": "evt_9", "object": "Event", "description": "batch.updated", "result": {"object": "Batch"}}"#)))
        #expect(webhook == InboundWebhook(eventID: "evt_9", updates: []))
    }

    @Test("Unknown statuses are in_transit with the raw code; a detail-less event takes the tracker's status when newest")
    func unknownStatus() throws {
        let body = #"""
        {"id": "evt_1", "description": "tracker.updated", "result": {"tracking_code": "EZ1", "carrier": "Pigeon", "status": "failure", "status_detail": "attempted_delivery",
          "tracking_details": [
            {"message": "Hmm", "status": "teleported", "datetime": "2026-07-01T10:00:00Z"},
            {"message": "Tried", "datetime": "2026-07-01T12:00:00Z"}]}}
        """#
        let update = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first)
        #expect(update.carrier == nil)
        #expect(update.events.map(\.status) == [.inTransit, .attemptFail])
        #expect(update.events.map(\.rawCode) == ["teleported", "failure/attempted_delivery"])
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "{")?.kind == .malformed)
        #expect(decodeError(adapter, #"{"id": "evt_1", "description": "tracker.created"}"#) == .malformed("easypost webhook body: result is required"))
        #expect(decodeError(adapter, #"{"description": "tracker.updated", "result": {"status": "unknown"}}"#) == .malformed("easypost webhook body: result.tracking_code is required"))
        #expect(decodeError(adapter, #"{"description": "tracker.updated", "result": {"tracking_code": "1", "est_delivery_date": "next week"}}"#)?.message.hasPrefix("easypost webhook body: result.est_delivery_date: 'next week'") == true)
    }
}
