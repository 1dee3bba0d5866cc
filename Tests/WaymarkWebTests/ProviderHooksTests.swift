import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkProviders
@testable import WaymarkWeb
import WaymarkSigning

/// `POST /hooks/{provider}/{tenant}` through the router: verified, normalized, recorded once.
@Suite struct ProviderHooksTests {
    static let aftershipSecret = "as-webhook-secret"

    /// An AfterShip webhook for the fixture's UPS shipment, signed like AfterShip signs.
    func aftership(eventID: String = "evt-1", tag: String = "Delivered", subtag: String = "Delivered_005", time: String = "2026-11-27T11:30:00-05:00") -> (ByteBuffer, HTTPFields) {
        let body = """
            {"event": "tracking_update", "event_id": "\(eventID)", "ts": 1795780800,
             "msg": {"tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": "\(tag)", "subtag": "\(subtag)",
                     "checkpoints": [{"checkpoint_time": "\(time)", "city": "Brooklyn", "state": "NY", "country_region": "USA",
                                      "message": "Left with neighbour", "tag": "\(tag)", "subtag": "\(subtag)"}]}}
            """
        return (ByteBuffer(string: body), [HTTPField.Name("aftership-hmac-sha256")!: Self.sign(body), .contentType: "application/json"])
    }

    static func sign(_ body: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(aftershipSecret.utf8)))).base64EncodedString()
    }

    func configured() async throws -> Fixture {
        let fixture = try await Fixture.make()
        _ = try await fixture.database.setProviderAccount(tenantID: fixture.acme.tenant.id, provider: "aftership", secret: Self.aftershipSecret, apiKey: nil, register: nil)
        return fixture
    }

    @Test func aSignedUpdateMovesTheShipmentAndAReplayChangesNothing() async throws {
        let fixture = try await configured()
        let (body, headers) = aftership()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"duplicate\":false"))
            }
            let shipment = try #require(try await fixture.database.shipment(tenantID: fixture.acme.tenant.id, id: fixture.acmeShipment.id))
            #expect(shipment.shipment.status == .delivered)
            #expect(shipment.shipment.substatus?.description == "delivered.left_with_neighbor")
            #expect(shipment.checkpoints.first?.event.rawCode?.contains("Delivered_005") == true)
            #expect(shipment.checkpoints.first?.event.utcOffsetSeconds == -5 * 3600)
            try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"duplicate\":true"))
            }
            #expect(try await fixture.database.shipment(tenantID: fixture.acme.tenant.id, id: fixture.acmeShipment.id)?.checkpoints.count == 4)
        }
    }

    @Test("A rotated secret holds for the next webhook, though the account was just remembered")
    func aRotatedSecretHoldsAtOnce() async throws {
        let fixture = try await configured()
        try await fixture.app().test(.router) { client in
            let (first, signed) = aftership()
            try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: signed, body: first) { #expect($0.status == .ok) }
            _ = try await fixture.database.setProviderAccount(
                tenantID: fixture.acme.tenant.id, provider: "aftership", secret: "rotated-secret", apiKey: nil, register: nil)
            let (second, oldSignature) = aftership(eventID: "evt-2")
            try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: oldSignature, body: second) { response in
                #expect(response.status == .unauthorized, "the old secret no longer verifies")
            }
        }
    }

    @Test func aLateOlderEventDoesNotUndoTheDelivery() async throws {
        let fixture = try await configured()
        try await fixture.app().test(.router) { client in
            let (delivered, h1) = aftership()
            _ = try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: h1, body: delivered) { $0 }
            let (late, h2) = aftership(eventID: "evt-2", tag: "InTransit", subtag: "InTransit_007", time: "2026-11-25T08:00:00-05:00")
            try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: h2, body: late) { #expect($0.status == .ok) }
            #expect(try await fixture.database.shipment(tenantID: fixture.acme.tenant.id, id: fixture.acmeShipment.id)?.shipment.status == .delivered)
        }
    }

    @Test func badOrMissingSignaturesAre401AndWriteNothing() async throws {
        let fixture = try await configured()
        let (body, headers) = aftership()
        var tampered = headers
        tampered[HTTPField.Name("aftership-hmac-sha256")!] = Self.sign("something else")
        var missing = headers
        missing[HTTPField.Name("aftership-hmac-sha256")!] = nil
        let attempts = [tampered, missing]
        try await fixture.app().test(.router) { client in
            for attempt in attempts {
                try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: attempt, body: body) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
            // Signed for acme, sent to globex (which has no secret set): refused.
            try await client.execute(uri: "/hooks/aftership/globex", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("waymark provider set"))
            }
        }
        #expect(try await fixture.database.shipment(tenantID: fixture.acme.tenant.id, id: fixture.acmeShipment.id)?.shipment.status == .outForDelivery)
        #expect(try await fixture.database.inboundEvents(tenantID: fixture.acme.tenant.id, since: .distantPast).isEmpty)
    }

    @Test func signedButMalformedIs400WithTheReason() async throws {
        let fixture = try await configured()
        let body = #"{"event": "tracking_update", "msg": {"tracking_number": "1Z1", "checkpoints": [{"checkpoint_time": "yesterday", "message": "x"}]}}"#
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/hooks/aftership/acme", method: .post,
                headers: [HTTPField.Name("aftership-hmac-sha256")!: Self.sign(body)], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("checkpoint_time"), "\(response.text)")
            }
        }
    }

    @Test func unknownProviderOrTenantIs404() async throws {
        let fixture = try await configured()
        let (body, headers) = aftership()
        try await fixture.app().test(.router) { client in
            for path in ["/hooks/fedex/acme", "/hooks/aftership/nobody"] {
                try await client.execute(uri: path, method: .post, headers: headers, body: body) { #expect($0.status == .notFound, "\(path)") }
            }
        }
    }

    @Test func theGenericFormatIsVerifiedWithStandardWebhooks() async throws {
        let fixture = try await Fixture.make()
        let secret = StandardWebhooks.generateSecret()
        _ = try await fixture.database.setProviderAccount(tenantID: fixture.acme.tenant.id, provider: "waymark", secret: secret, apiKey: nil, register: nil)
        let body = #"{"tracking_number": "NEWFEED1", "events": [{"occurred_at": "2026-11-27T09:00:00+01:00", "status": "in_transit", "message": "Sorted", "location": {"city": "Berlin", "country": "DE"}}]}"#
        let signer = try StandardWebhooks(secret: secret)
        func headers(at time: Date) -> HTTPFields {
            var fields: HTTPFields = [.contentType: "application/json"]
            for (name, value) in signer.headers(id: "msg_1", timestamp: time, body: Array(body.utf8)) { fields[HTTPField.Name(name)!] = value }
            return fields
        }
        // The app's clock is pinned to Fixture.now.
        let stale = headers(at: Fixture.now.addingTimeInterval(-3_600))
        let fresh = headers(at: Fixture.now)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/hooks/waymark/acme", method: .post, headers: stale, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized, "a timestamp an hour old is stale")
            }
            try await client.execute(uri: "/hooks/waymark/acme", method: .post, headers: fresh, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("\"created\":true"), "an unknown number creates the shipment")
            }
        }
        let created = try #require(try await fixture.database.lookupShipment(tenantID: fixture.acme.tenant.id, trackingNumber: "NEWFEED1"))
        #expect(created.shipment.status == .inTransit)
        #expect(created.checkpoints.first?.event.location.city == "Berlin")
    }
}
