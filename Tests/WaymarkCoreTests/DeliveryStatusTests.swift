import Foundation
import Testing
import WaymarkCore

@Suite("DeliveryStatus and Substatus")
struct DeliveryStatusTests {
    @Test("The nine statuses have their snake_case wire names")
    func rawValues() {
        #expect(DeliveryStatus.allCases.map(\.rawValue) == [
            "pending", "info_received", "in_transit", "out_for_delivery", "available_for_pickup",
            "attempt_fail", "delivered", "exception", "expired",
        ])
        #expect(DeliveryStatus(rawValue: "out_for_delivery") == .outForDelivery)
        #expect(DeliveryStatus(rawValue: "outForDelivery") == nil)
        #expect(DeliveryStatus(rawValue: "Delivered") == nil)
    }

    @Test("Only delivered and expired are final")
    func finalStatuses() {
        #expect(DeliveryStatus.allCases.filter(\.isFinal) == [.delivered, .expired])
    }

    @Test("A well-formed substatus parses into status and reason")
    func parsesSubstatus() throws {
        let substatus = try Substatus(parsing: "delivered.left_with_neighbor")
        #expect(substatus.status == .delivered)
        #expect(substatus.reason == "left_with_neighbor")
        #expect(substatus.description == "delivered.left_with_neighbor")

        let customs = try Substatus(parsing: "exception.customs_hold", for: .exception)
        #expect(customs == Substatus(status: .exception, reason: "customs_hold"))
    }

    @Test(
        "Malformed substatuses are rejected as malformed",
        arguments: [
            "", "delivered", "delivered.", ".left_with_neighbor", "delivered.left.with", "Delivered.left_with_neighbor",
            "delivered.Left_with_neighbor", "delivered.LEFT", "delivered.left-with-neighbor", "delivered.left with neighbor",
            "delivered._left", "delivered.1st_attempt", "shipped.left_with_neighbor", "in-transit.sorted",
            "delivered." + String(repeating: "a", count: 65),
        ]
    )
    func rejectsMalformed(text: String) {
        #expect(throws: Substatus.ParseError.malformed(text)) { try Substatus(parsing: text) }
    }

    @Test("A reason of exactly 64 characters is still accepted")
    func longestReason() throws {
        let reason = String(repeating: "a", count: 64)
        #expect(try Substatus(parsing: "delivered.\(reason)").reason == reason)
    }

    @Test("A substatus of another status is rejected as a mismatch")
    func rejectsWrongPrefix() {
        #expect(throws: Substatus.ParseError.statusMismatch(expected: .delivered, got: "exception.customs_hold")) {
            try Substatus(parsing: "exception.customs_hold", for: .delivered)
        }
    }

    @Test("Substatus encodes as its string and decodes back; bad strings fail to decode")
    func substatusCodable() throws {
        struct Wrapper: Codable, Equatable { var substatus: Substatus; var status: DeliveryStatus }
        let value = Wrapper(substatus: Substatus(status: .delivered, reason: "left_with_neighbor"), status: .outForDelivery)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(json == #"{"status":"out_for_delivery","substatus":"delivered.left_with_neighbor"}"#)
        #expect(try JSONDecoder().decode(Wrapper.self, from: Data(json.utf8)) == value)

        let bad = Data(#"{"status":"delivered","substatus":"Delivered.Left"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: bad) }
        let badStatus = Data(#"{"status":"shipped","substatus":"delivered.left"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: badStatus) }
    }
}
