import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

@Suite("Track123 webhooks")
struct Track123Tests {
    let adapter = ProviderAdapters.adapter(for: .track123)
    let credentials = ProviderCredentials(apiKey: "t123-test-api-secret")
    /// 2026-07-02T12:00:00Z in milliseconds, and its HMAC-SHA256 under the test key (computed with
    /// Python's hmac module).
    let timestamp = "1782993600000"
    let signature = "374c960ea202b52413744847d96763f66c317ace3d559ecc6338e28f89c31d90"
    let now = utc(2026, 7, 2, 12)

    func request(_ body: [UInt8], timestamp: String? = nil, signature: String? = nil) -> InboundRequest {
        var headers: [String: String] = [:]
        headers["x-track123-timestamp"] = timestamp ?? self.timestamp
        headers["x-track123-signature"] = signature ?? self.signature
        return InboundRequest(body: body, headers: headers)
    }

    @Test("The signed timestamp verifies; the key may be entered as the API key or as the secret")
    func verifies() throws {
        let body = try Fixture.bytes("track123-flat.json")
        #expect(inboundError { try adapter.verify(request(body), credentials: credentials, now: now) } == nil)
        #expect(inboundError { try adapter.verify(request(body), credentials: ProviderCredentials(secret: "t123-test-api-secret"), now: now) } == nil)
        let upper = request(body, signature: signature.uppercased())
        #expect(inboundError { try adapter.verify(upper, credentials: credentials, now: now) } == nil)
        #expect(Track123Adapter.signatureEncoding == .hexOfTimestamp)
    }

    @Test("A flipped signature character or another timestamp is a bad signature")
    func badSignature() throws {
        let body = try Fixture.bytes("track123-flat.json")
        let flippedSignature = inboundError { try adapter.verify(request(body, signature: flipped(signature, at: 10)), credentials: credentials, now: now) }
        #expect(flippedSignature?.kind == .badSignature)
        #expect(flippedSignature?.message.contains("x-track123-signature") == true)
        let otherTime = inboundError { try adapter.verify(request(body, timestamp: "1782993601000"), credentials: credentials, now: now) }
        #expect(otherTime?.kind == .badSignature)
        let wrongKey = inboundError { try adapter.verify(request(body), credentials: ProviderCredentials(apiKey: "another"), now: now) }
        #expect(wrongKey?.kind == .badSignature)
        let notANumber = inboundError { try adapter.verify(request(body, timestamp: "2026-07-02T12:00:00Z"), credentials: credentials, now: now) }
        #expect(notANumber?.kind == .badSignature)
        #expect(notANumber?.message.contains("milliseconds") == true)
    }

    @Test("Missing headers, stale timestamps and missing keys are refused")
    func refusals() throws {
        let body = try Fixture.bytes("track123-flat.json")
        var noSignature = request(body)
        noSignature.headers["x-track123-signature"] = nil
        #expect(inboundError { try adapter.verify(noSignature, credentials: credentials, now: now) } == .missingSignature("the x-track123-signature header is missing"))
        var noTimestamp = request(body)
        noTimestamp.headers["x-track123-timestamp"] = nil
        #expect(inboundError { try adapter.verify(noTimestamp, credentials: credentials, now: now) }?.kind == .missingSignature)

        #expect(inboundError { try adapter.verify(request(body), credentials: credentials, now: now.addingTimeInterval(300)) } == nil)
        let stale = inboundError { try adapter.verify(request(body), credentials: credentials, now: now.addingTimeInterval(301)) }
        #expect(stale?.kind == .staleTimestamp)
        // A timestamp in seconds rather than milliseconds reads as 1970: stale, not silently accepted.
        let seconds = inboundError { try adapter.verify(request(body, timestamp: "1782993600"), credentials: credentials, now: now) }
        #expect(seconds?.kind == .staleTimestamp)

        let unset = inboundError { try adapter.verify(request(body), credentials: ProviderCredentials(), now: now) }
        #expect(unset?.kind == .notConfigured)
        #expect(unset?.message.contains("track123") == true)
        #expect(inboundError { try adapter.verify(request(body), credentials: ProviderCredentials(secret: "", apiKey: ""), now: now) }?.kind == .notConfigured)
    }

    @Test("The help centre's flat shape decodes, the current status landing on the newest event")
    func flatShape() throws {
        let webhook = try adapter.decode(request(try Fixture.bytes("track123-flat.json")))
        #expect(webhook.eventID == nil)
        let update = try #require(webhook.updates.first)
        #expect(webhook.updates.count == 1)
        #expect(update.trackingNumber == "RM123456789GB")
        #expect(update.carrier == "royal-mail")
        #expect(update.eta == nil)
        #expect(update.events.map(\.message) == ["Item received", "Out for delivery", "Delivered to neighbour at no. 12"])

        let received = update.events[0]
        #expect(received.occurredAt == utc(2026, 7, 1, 9, 15))
        #expect(received.utcOffsetSeconds == nil)
        #expect(received.status == .inTransit)
        #expect(received.rawCode == nil)
        #expect(received.location == Place(city: "London"))
        #expect(received.source == "track123")

        let delivered = update.events[2]
        #expect(delivered.occurredAt == utc(2026, 7, 2, 13, 5))
        #expect(delivered.utcOffsetSeconds == 3600)
        #expect(delivered.status == .delivered)
        #expect(delivered.substatus == Substatus(status: .delivered, reason: "left_with_neighbor"))
        #expect(delivered.rawCode == "DELIVERED_04")
        #expect(delivered.location == Place(city: "Manchester"))
    }

    @Test("The API docs' data-wrapped shape decodes, with per-event sub-statuses and time zones")
    func dataShape() throws {
        let update = try #require(try adapter.decode(request(try Fixture.bytes("track123-data.json"))).updates.first)
        #expect(update.trackingNumber == "LX123456789CN")
        #expect(update.carrier == "china-post")
        #expect(update.events.count == 3)

        let accepted = update.events[0]
        #expect(accepted.occurredAt == utc(2026, 6, 28, 2, 20))
        #expect(accepted.utcOffsetSeconds == 8 * 3600)
        #expect(accepted.status == .infoReceived)
        #expect(accepted.rawCode == "INFO_RECEIVED")
        #expect(accepted.location == Place(city: "Shenzhen, Guangdong"))

        let customs = update.events[1]
        #expect(customs.occurredAt == utc(2026, 7, 1, 14, 45))
        #expect(customs.utcOffsetSeconds == 2 * 3600)
        #expect(customs.substatus == Substatus(status: .inTransit, reason: "customs_cleared"))

        // No UTC time: the local time is read in the named zone (Berlin summer time).
        let departed = update.events[2]
        #expect(departed.occurredAt == utc(2026, 7, 1, 18))
        #expect(departed.utcOffsetSeconds == 2 * 3600)
        // An unknown code of a known family: the family's status, no substatus, raw code kept.
        #expect(departed.status == .inTransit)
        #expect(departed.substatus == nil)
        #expect(departed.rawCode == "IN_TRANSIT_99")
    }

    @Test("An array under data gives one update per shipment")
    func dataArray() throws {
        let body = #"{"data": [{"trackNo": "A1", "transitStatus": "INIT"}, {"trackNo": "b 2", "transitStatus": "EXPIRED", "localLogisticsInfo": {"courierCode": "nobody-knows", "trackingDetails": []}}]}"#
        let webhook = try adapter.decode(InboundRequest(body: bytes(body)))
        #expect(webhook.updates.map(\.trackingNumber) == ["A1", "B2"])
        #expect(webhook.updates.allSatisfy { $0.events.isEmpty && $0.carrier == nil })
    }

    @Test("Unknown statuses: an unknown family is in_transit with its raw code; a known family keeps its status")
    func unknownStatus() throws {
        let body = #"""
        {"trackingNumber": "X1", "transitStatus": "TELEPORTED", "transitSubStatus": "TELEPORTED_01",
         "trackInfo": [{"eventTime": "2026-07-01T10:00:00Z", "eventDetail": "Beamed up"}]}
        """#
        let event = try #require(try adapter.decode(InboundRequest(body: bytes(body))).updates.first?.events.first)
        #expect(event.status == .inTransit)
        #expect(event.substatus == nil)
        #expect(event.rawCode == "TELEPORTED_01")
        #expect(Track123Status.meaning(status: "ABNORMAL", subStatus: "ABNORMAL_42") == StatusMeaning(.exception))
    }

    @Test("Malformed bodies name the problem")
    func malformed() {
        #expect(decodeError(adapter, "{not json")?.kind == .malformed)
        #expect(decodeError(adapter, "{not json")?.message.contains("not valid JSON") == true)
        #expect(decodeError(adapter, "") == .malformed("track123 webhook body is empty; expected a JSON object"))
        #expect(decodeError(adapter, #"{"transitStatus": "DELIVERED"}"#)?.message.contains("trackingNumber (or data.trackNo) is required") == true)
        let badTime = decodeError(adapter, #"{"trackingNumber": "X", "trackInfo": [{"eventTime": "yesterday"}]}"#)
        #expect(badTime?.message == "track123 webhook body: trackInfo[0].eventTime: 'yesterday' is not an ISO 8601 time like 2026-07-01T10:20:00+02:00")
        let wrongType = decodeError(adapter, #"{"data": {"trackNo": "X", "localLogisticsInfo": {"trackingDetails": {"eventTime": 1}}}}"#)
        #expect(wrongType?.message == "track123 webhook body: data.localLogisticsInfo.trackingDetails must be an array")
    }
}
