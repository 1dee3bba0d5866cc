import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// The unsubscribe link of every shopper email: a page with two choices on GET, the change
/// only on POST (RFC 8058 one-click or a button), and nothing to learn from unknown tokens.
@Suite struct UnsubscribeTests {
    /// Jane's email subscription to Acme's shipment (made when the shipment was registered).
    func janesEmail(_ fixture: Fixture) async throws -> Subscription {
        let all = try await fixture.database.subscriptions(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id)
        return try #require(all.first { $0.channel == .email && $0.address == "jane@example.com" })
    }

    func current(_ fixture: Fixture, _ subscription: Subscription) async throws -> Subscription {
        try #require(try await fixture.database.subscription(tenantID: fixture.acme.tenant.id, unsubscribeToken: subscription.unsubscribeToken))
    }

    func suppressed(_ fixture: Fixture) async throws -> Bool {
        try await fixture.database.isSuppressed(tenantID: fixture.acme.tenant.id, channel: .email, address: "jane@example.com")
    }

    @Test func theLinkShowsTwoChoicesAndChangesNothing() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        let path = "/acme/unsubscribe/\(subscription.unsubscribeToken)"
        try await fixture.app().test(.router) { client in
            for language in ["en", "de", "ja"] {
                try await client.execute(uri: "\(path)?lang=\(language)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.referrerPolicy] == "no-referrer")
                    #expect(response.headers[.cacheControl] == "no-store")
                    #expect(response.text.contains(#"<html lang="\#(language)">"#))
                    #expect(response.text.contains("Acme Outfitters"))
                    #expect(response.text.components(separatedBy: #"<form method="post" action="\#(path)?lang=\#(language)""#).count == 3)
                    #expect(response.text.contains(#"name="scope" value="shipment""#))
                    #expect(response.text.contains(#"name="scope" value="all""#))
                }
            }
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.text.contains("Stop updates for this shipment"))
                #expect(response.text.contains("Stop all messages from Acme Outfitters"))
            }
        }
        #expect(try await current(fixture, subscription).unsubscribedAt == nil)
        #expect(try await !suppressed(fixture))
    }

    @Test func aMailClientsOneClickPostUnsubscribesFromThisShipment() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/unsubscribe/\(subscription.unsubscribeToken)", method: .post, headers: formHeaders,
                                     body: ByteBuffer(string: "List-Unsubscribe=One-Click")) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("You will not receive any more updates about this shipment."))
                #expect(!response.text.contains(#"name="scope""#))
            }
        }
        #expect(try await current(fixture, subscription).unsubscribedAt == Fixture.now)
        #expect(try await !suppressed(fixture))
    }

    @Test func aMultipartOneClickWorksToo() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n"
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/unsubscribe/\(subscription.unsubscribeToken)", method: .post,
                                     headers: [.contentType: "multipart/form-data; boundary=XyZ"], body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
            }
        }
        #expect(try await current(fixture, subscription).unsubscribedAt != nil)
    }

    @Test func stoppingEverythingSuppressesTheAddressSoTheNextChangePlansNoEmail() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        try await fixture.app().test(.router) { client in
            for _ in 0..<2 {  // the same button twice: same answer
                try await client.execute(uri: "/acme/unsubscribe/\(subscription.unsubscribeToken)?lang=en", method: .post, headers: formHeaders,
                                         body: formBody([("scope", "all")])) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains("You will not receive any more messages from Acme Outfitters at this address."))
                }
            }
        }
        #expect(try await suppressed(fixture))
        #expect(try await current(fixture, subscription).unsubscribedAt != nil)

        _ = try await fixture.database.recordCheckpoints(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id, events: [
            CheckpointEvent(occurredAt: Fixture.now.addingTimeInterval(-60), status: .delivered, message: "Delivered", source: "test"),
        ], now: Fixture.now)
        let planned = try await fixture.database.deliveries(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id)
            .filter { $0.triggerKey == "status:delivered" }
        // The change did plan messages (the text to Jane's phone), just no email.
        #expect(planned.contains { $0.channel == .sms && $0.recipient == "+14155550123" })
        #expect(!planned.contains { $0.channel == .email })
    }

    @Test func theFirstButtonStopsOnlyThisShipment() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/unsubscribe/\(subscription.unsubscribeToken)", method: .post, headers: formHeaders,
                                     body: formBody([("scope", "shipment")])) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("You will not receive any more updates about this shipment."))
            }
            // A post that chooses nothing changes nothing more and shows the choices again.
            try await client.execute(uri: "/acme/unsubscribe/\(subscription.unsubscribeToken)", method: .post, headers: formHeaders,
                                     body: formBody([("scope", "everything-please")])) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains(#"name="scope" value="all""#))
            }
        }
        #expect(try await current(fixture, subscription).unsubscribedAt != nil)
        #expect(try await !suppressed(fixture))
    }

    @Test func anUnknownOrForeignTokenIsTheBrandedNotFound() async throws {
        let fixture = try await Fixture.make()
        let subscription = try await janesEmail(fixture)
        try await fixture.app().test(.router) { client in
            for path in ["/acme/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAA", "/acme/unsubscribe/short", "/globex/unsubscribe/\(subscription.unsubscribeToken)"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.text.contains(#"class="not-found""#))
                }
                try await client.execute(uri: path, method: .post, headers: formHeaders, body: ByteBuffer(string: "List-Unsubscribe=One-Click")) { response in
                    #expect(response.status == .notFound, "\(path)")
                }
            }
        }
        #expect(try await current(fixture, subscription).unsubscribedAt == nil)
    }
}
