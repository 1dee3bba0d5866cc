import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkWeb

@Suite struct LookupTests {
    @Test func lookupPageHasTheFormAndTheBrand() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme?lang=it", method: .get) { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains("<html lang=\"it\">"))
                #expect(html.contains("<form method=\"post\" action=\"/acme/lookup?lang=it\""))
                for field in ["order_number", "email", "postal_code", "tracking_number"] {
                    #expect(html.contains("<label for=\"\(field)\">"), "labelled \(field)")
                }
            }
        }
    }

    @Test(arguments: [
        [("order_number", "ACME-1001"), ("email", "JANE@example.com")],
        [("order_number", "acme-1001"), ("postal_code", "11201")],
        [("order_number", " ACME-1001 "), ("email", "nobody@example.com"), ("postal_code", "11201")],
    ])
    func orderNumberWithEmailOrPostalCodeRedirectsToTheTrackingPage(fields: [(String, String)]) async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/lookup", method: .post, headers: formHeaders, body: formBody(fields)) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "\(fixture.acmeTrackingPath)?lang=en")
            }
        }
    }

    @Test func aMissSaysSoWithoutRevealingWhetherTheOrderExists() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let wrongEmail = try await client.execute(
                uri: "/acme/lookup", method: .post, headers: formHeaders,
                body: formBody([("order_number", "ACME-1001"), ("email", "someone@example.com")])) { $0 }
            let noSuchOrder = try await client.execute(
                uri: "/acme/lookup", method: .post, headers: formHeaders,
                body: formBody([("order_number", "ACME-9999"), ("email", "someone@example.com")])) { $0 }
            #expect(wrongEmail.status == .ok)
            #expect(wrongEmail.text.contains("We could not find a shipment with those details"))
            #expect(wrongEmail.status == noSuchOrder.status)
            // Same words either way; only the echoed order number differs.
            #expect(wrongEmail.text.replacingOccurrences(of: "ACME-1001", with: "X") == noSuchOrder.text.replacingOccurrences(of: "ACME-9999", with: "X"))
        }
    }

    @Test func anotherTenantsOrderIsNotFound() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/globex/lookup", method: .post, headers: formHeaders,
                body: formBody([("order_number", "ACME-1001"), ("email", "jane@example.com")])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.location] == nil)
            }
        }
    }

    @Test func trackingNumberAloneShowsTheJourneyButNotTheOrder() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/acme/lookup", method: .post, headers: formHeaders, body: formBody([("tracking_number", "1z999aa1 0123456784")])
            ) { response in
                #expect(response.status == .ok)
                let html = response.text
                #expect(html.contains(">Out for delivery</h1>"))
                #expect(html.contains("Arrived at facility"))
                #expect(!html.contains("ACME-1001"), "order number stays private")
                #expect(!html.contains(fixture.acmeShipment.token), "the secret link is not handed out")
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func incompleteFormIsA422WithTheReason() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for fields in [[("order_number", "ACME-1001")], [("email", "jane@example.com")], []] {
                try await client.execute(uri: "/acme/lookup", method: .post, headers: formHeaders, body: formBody(fields)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(response.text.contains("Enter an order number with an email address or postal code"))
                }
            }
        }
    }

    @Test func lookupsAreThrottledPerClient() async throws {
        let fixture = try await Fixture.make(lookupsPerMinute: 3)
        try await fixture.app().test(.router) { client in
            let body = [("order_number", "ACME-1"), ("email", "guess@example.com")]
            for _ in 0..<3 {
                try await client.execute(uri: "/acme/lookup", method: .post, headers: formHeaders, body: formBody(body)) { response in
                    #expect(response.status == .ok)
                }
            }
            try await client.execute(uri: "/acme/lookup", method: .post, headers: formHeaders, body: formBody(body)) { response in
                #expect(response.status == .tooManyRequests)
                let retry = try #require(response.headers[HTTPField.Name("Retry-After")!].flatMap(Int.init))
                #expect(retry >= 1 && retry <= 60)
                #expect(response.text.contains("Too many attempts"))
            }
            // Even the right answer is refused until the bucket refills.
            try await client.execute(
                uri: "/acme/lookup", method: .post, headers: formHeaders,
                body: formBody([("order_number", "ACME-1001"), ("email", "jane@example.com")])
            ) { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }
}
