import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("AfterShip webhooks")
struct AfterShipTests {
    let adapter = ProviderAdapters.adapter(for: .aftership)
    let credentials = ProviderCredentials(secret: "as-webhook-secret-test")
    let now = utc(2026, 7, 3, 15, 30)
    /// base64 HMAC-SHA256 of each fixture file under the test secret (computed with Python's hmac).
    static let signatures = [
        "aftership-tracking-update.json": "rzF/XH/UNtIAB0TW6uAmgy61f4nB7LTj/ADesdM4pIA=",
        "aftership-legacy-expired.json": "+Dlq7vRj8m4jpwzBPK8MjwjYFC2zB92byAw9/JKmWNk=",
    ]

    func request(_ fixture: String) throws -> InboundRequest {
        InboundRequest(body: try Fixture.bytes(fixture), headers: ["aftership-hmac-sha256": Self.signatures[fixture] ?? ""])
    }

    @Test("Both fixtures verify against their body signatures", arguments: ["aftership-tracking-update.json", "aftership-legacy-expired.json"])
    func verifies(fixture: String) throws {
        #expect(inboundError { try adapter.verify(try request(fixture), credentials: credentials, now: now) } == nil)
    }

    @Test("A flipped body byte or signature character, a missing header or secret are refused")
    func refusals() throws {
        var tampered = try request("aftership-tracking-update.json")
        tampered.body = flipped(tampered.body, at: 40)
        let bodyError = inboundError { try adapter.verify(tampered, credentials: credentials, now: now) }
        #expect(bodyError?.kind == .badSignature)
        #expect(bodyError?.message.contains("aftership-hmac-sha256") == true)

        var badSignature = try request("aftership-tracking-update.json")
        badSignature.headers["aftership-hmac-sha256"] = flipped(Self.signatures["aftership-tracking-update.json"] ?? "", at: 5)
        #expect(inboundError { try adapter.verify(badSignature, credentials: credentials, now: now) }?.kind == .badSignature)

        var missing = try request("aftership-tracking-update.json")
        missing.headers = [:]
        #expect(inboundError { try adapter.verify(missing, credentials: credentials, now: now) } == .missingSignature("the aftership-hmac-sha256 header is missing"))

        // The API key is not the webhook secret.
        let unset = inboundError { try adapter.verify(try request("aftership-tracking-update.json"), credentials: ProviderCredentials(apiKey: "as-webhook-secret-test"), now: now) }
        #expect(unset?.kind == .notConfigured)
    }

    @Test("A tracking update decodes: subtags, offsets, alpha-3 countries, ETA day")
    func trackingUpdate() throws {
        let webhook = try adapter.decode(try request("aftership-tracking-update.json"))
        #expect(webhook.eventID == "2b5e2c5e-8d1a-4c3b-9a57-3f1f0c9a1d42")
        let update = try #require(webhook.updates.first)
        #expect(update.trackingNumber == "1Z999AA10123456784")
        #expect(update.carrier == "ups")
        #expect(update.eta == utc(2026, 7, 3))
        #expect(update.events.count == 3)

        let pickedUp = update.events[0]
        #expect(pickedUp.occurredAt == utc(2026, 7, 1, 15))
        #expect(pickedUp.utcOffsetSeconds == -7 * 3600)
        #expect(pickedUp.status == .inTransit)
        #expect(pickedUp.substatus == Substatus(status: .inTransit, reason: "accepted"))
        #expect(pickedUp.rawCode == "InTransit_002")
        #expect(pickedUp.message == "Picked up")
        #expect(pickedUp.location == Place(city: "Los Angeles", region: "CA", country: "US"))
        #expect(pickedUp.source == "aftership")

        #expect(update.events[1].substatus?.description == "in_transit.arrived")
        let delivered = update.events[2]
        #expect(delivered.occurredAt == utc(2026, 7, 3, 13, 30))
        #expect(delivered.utcOffsetSeconds == -4 * 3600)
        #expect(delivered.substatus?.description == "delivered.left_with_neighbor")
        // The tag matches the newest checkpoint: nothing is added for it.
        #expect(update.events.filter { $0.status == .delivered }.count == 1)
    }

    @Test("The pre-2026 shape (zip, country_iso3, times without offset) decodes; an Expired tag becomes an event at ts")
    func legacyAndExpired() throws {
        let update = try #require(try adapter.decode(try request("aftership-legacy-expired.json")).updates.first)
        #expect(update.carrier == "dhl-paket")
        #expect(update.eta == nil)
        #expect(update.events.count == 2)
        let received = update.events[0]
        #expect(received.occurredAt == utc(2026, 6, 1, 10))
        #expect(received.utcOffsetSeconds == nil)
        #expect(received.status == .infoReceived)
        #expect(received.location == Place(city: "Bonn", country: "DE"))
        let expired = update.events[1]
        #expect(expired.status == .expired)
        #expect(expired.occurredAt == Date(timeIntervalSince1970: 1_783_000_000))
        #expect(expired.rawCode == "Expired_001")
        #expect(expired.message == "No further updates")
        #expect(expired.location.isEmpty)

        // Both spellings of the postal code are read (the place itself stays city-level).
        let legacy = try JSONDecoder().decode(AfterShipPayload.self, from: Data(try Fixture.bytes("aftership-legacy-expired.json")))
        #expect(legacy.tracking?.checkpoints.first?.postalCode == "53113")
        let current = try JSONDecoder().decode(AfterShipPayload.self, from: Data(try Fixture.bytes("aftership-tracking-update.json")))
        #expect(current.tracking?.checkpoints.map(\.postalCode) == ["90001", "07094", "11201"])
    }

    @Test("Unknown codes: InTransit_099 is in_transit, Delivered_999 delivered, an unknown tag in_transit; raw codes kept")
    func unknownStatus() throws {
        let body = #"""
        {"event": "tracking_update", "msg": {"tracking_number": "x1", "tag": "Delivered", "checkpoints": [
          {"checkpoint_time": "2026-07-01T10:00:00Z", "tag": "InTransit", "subtag": "InTransit_099", "message": "a"},
          {"checkpoint_time": "2026-07-01T11:00:00Z", "tag": "Delivered", "subtag": "Delivered_999", "message": "b"},
          {"checkpoint_time": "2026-07-01T09:00:00Z", "tag": "Levitating", "subtag": "Levitating_001", "message": "c"}]}}
        """#
        let events = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first?.events)
        #expect(events.map(\.status) == [.inTransit, .inTransit, .delivered])
        #expect(events.map(\.substatus) == [nil, nil, nil])
        #expect(events.map(\.rawCode) == ["Levitating_001", "InTransit_099", "Delivered_999"])
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "[1, 2")?.kind == .malformed)
        #expect(decodeError(adapter, #"{"event": "tracking_update"}"#) == .malformed("aftership webhook body: msg is required"))
        #expect(decodeError(adapter, #"{"msg": {"slug": "ups"}}"#) == .malformed("aftership webhook body: msg.tracking_number is required"))
        let badTime = decodeError(adapter, #"{"msg": {"tracking_number": "1", "checkpoints": [{"tag": "InTransit"}, {"checkpoint_time": "03/07/2026"}]}}"#)
        #expect(badTime?.message.hasPrefix("aftership webhook body: msg.checkpoints[1].checkpoint_time: '03/07/2026' is not an ISO 8601 time") == true)
        #expect(decodeError(adapter, #"{"msg": {"tracking_number": "1", "checkpoints": "none"}}"#)?.message == "aftership webhook body: msg.checkpoints must be an array")
        #expect(decodeError(adapter, #"{"ts": "soon", "msg": {"tracking_number": "1"}}"#)?.message == "aftership webhook body: ts: 'soon' is not Unix seconds")
    }
}
