import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// The tracking page's "get updates by email or text" form.
@Suite struct SubscribeTests {
    func subscribePath(_ fixture: Fixture) -> String { fixture.acmeTrackingPath + "/subscribe?lang=en" }

    func addresses(_ fixture: Fixture) async throws -> [String] {
        try await fixture.database.subscriptions(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id)
            .filter { $0.unsubscribedAt == nil }.map { "\($0.channel.rawValue):\($0.address)" }
    }

    @Test func theTrackingPageOffersTheFormWithoutScript() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains(#"<form method="post" action="\#(subscribePath(fixture))" class="subscribe-form">"#))
                #expect(response.text.contains(#"<label for="subscribe-email">Email address</label>"#))
                #expect(response.text.contains(#"<label for="subscribe-phone">Mobile number</label>"#))
                #expect(!response.text.contains("<script"))
            }
        }
    }

    @Test func subscribesAnEmailAndAPhoneAndSaysThankYou() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let location = try await client.execute(
                uri: subscribePath(fixture), method: .post, headers: formHeaders,
                body: formBody([("email", " New.Shopper@Example.ORG "), ("phone", "+44 7700-900123")])
            ) { response in
                #expect(response.status == .seeOther)
                return try #require(response.headers[.location])
            }
            #expect(location == fixture.acmeTrackingPath + "?lang=en&subscribed=1")
            try await client.execute(uri: location, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("Thank you. We will send updates about this shipment"))
                #expect(response.text.contains(#"role="status""#))
            }
        }
        let subscribed = try await addresses(fixture)
        #expect(subscribed.contains("email:New.Shopper@example.org"))
        #expect(subscribed.contains("sms:+447700900123"))
    }

    @Test func answersTheSameWhetherOrNotTheAddressWasSubscribed() async throws {
        let fixture = try await Fixture.make()
        #expect(try await addresses(fixture).contains("email:jane@example.com"))
        try await fixture.app().test(.router) { client in
            var answers: [String] = []
            for email in ["jane@example.com", "someone.else@example.com"] {
                try await client.execute(uri: subscribePath(fixture), method: .post, headers: formHeaders, body: formBody([("email", email)])) { response in
                    answers.append("\(response.status.code) \(response.headers[.location] ?? "") \(response.text)")
                }
            }
            #expect(answers[0] == answers[1])
        }
    }

    @Test(arguments: [
        ([("email", "not-an-email")], "The email address does not look right"),
        ([("phone", "0044 7700 900123")], "The mobile number does not look right"),
        ([("email", "  "), ("phone", "")], "Enter an email address, a mobile number, or both."),
        ([("email", "ok@example.com"), ("phone", "12")], "The mobile number does not look right"),
    ])
    func refusesBadInputNamingTheField(fields: [(String, String)], message: String) async throws {
        let fixture = try await Fixture.make()
        let before = try await addresses(fixture)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: subscribePath(fixture), method: .post, headers: formHeaders, body: formBody(fields)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.text.contains(message))
                #expect(response.text.contains(#"role="alert""#))
                #expect(response.text.contains(#"aria-invalid="true""#))
            }
        }
        // Nothing is saved when any field is wrong, not even the valid one.
        #expect(try await addresses(fixture) == before)
    }

    @Test func isThrottledLikeTheLookup() async throws {
        let fixture = try await Fixture.make(lookupsPerMinute: 2)
        try await fixture.app().test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: subscribePath(fixture), method: .post, headers: formHeaders,
                                         body: formBody([("email", "a@example.com")])) { response in
                    #expect(response.status == .seeOther)
                }
            }
            try await client.execute(uri: subscribePath(fixture), method: .post, headers: formHeaders,
                                     body: formBody([("email", "b@example.com")])) { response in
                #expect(response.status == .tooManyRequests)
                let retry = try #require(response.headers[HTTPField.Name("Retry-After")!].flatMap(Int.init))
                #expect(retry >= 1)
                #expect(response.text.contains("Too many requests"))
            }
        }
        #expect(try await !addresses(fixture).contains("email:b@example.com"))
    }

    @Test func wantsAFormPostAndAKnownLink() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: subscribePath(fixture), method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"email": "x@example.com"}"#)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/acme/t/AAAAAAAAAAAAAAAAAAAAAAAA/subscribe", method: .post, headers: formHeaders,
                                     body: formBody([("email", "x@example.com")])) { response in
                #expect(response.status == .notFound)
                #expect(response.text.contains("Acme Outfitters"))
            }
            // Another tenant's slug with Acme's link.
            try await client.execute(uri: "/globex/t/\(fixture.acmeShipment.token)/subscribe", method: .post, headers: formHeaders,
                                     body: formBody([("email", "x@example.com")])) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(try await !addresses(fixture).contains("email:x@example.com"))
    }
}
