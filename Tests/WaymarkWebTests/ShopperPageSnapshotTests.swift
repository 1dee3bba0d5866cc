import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WaymarkCore
@testable import WaymarkStore
@testable import WaymarkWeb

/// The shopper's pages other than the tracking page, as the app serves them: through the router
/// on the test `Fixture` (clock pinned to `Fixture.now`, base URL fixed), with the secret tokens
/// that appear in links set to fixed values, compared with Snapshots/ (see `Snapshot`).
@Suite struct ShopperPageSnapshotTests {
    static let trackingToken = "SNAPSHOTTOKENSNAPSHOTTOK"
    static let unsubscribeToken = "UNSUBSCRIBESNAPSHOTTOKEN"

    /// The fixture with the random tokens of Acme's shipment and of Jane's email subscription
    /// replaced by the fixed ones above.
    static func pinnedFixture() async throws -> Fixture {
        let fixture = try await Fixture.make()
        let shipmentID = fixture.acmeShipment.id
        try await fixture.database.write { db in
            try db.execute(sql: "UPDATE shipment SET token = ? WHERE id = ?", arguments: [trackingToken, shipmentID])
            try db.execute(
                sql: "UPDATE subscription SET unsubscribe_token = ? WHERE shipment_id = ? AND channel = 'email'",
                arguments: [unsubscribeToken, shipmentID])
        }
        return fixture
    }

    /// The page at `uri`, after checking its status.
    static func page(
        _ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, form: [(String, String)]? = nil,
        status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        try await client.execute(uri: uri, method: method, headers: form == nil ? [:] : formHeaders, body: form.map(formBody)) { response in
            #expect(response.status == status, "\(method) \(uri)", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
            return response.text
        }
    }

    @Test(arguments: ["en", "de", "ja"])
    func lookupPage(language: String) async throws {
        let fixture = try await Fixture.make()
        let html = try await fixture.app().test(.router) { client in try await Self.page(client, "/acme?lang=\(language)") }
        try Snapshot.expect(html, matches: "lookup-\(language).html")
    }

    /// An order number with the wrong email: the form again, with what was typed and the message.
    @Test(arguments: ["en", "de"])
    func lookupMiss(language: String) async throws {
        let fixture = try await Fixture.make()
        let html = try await fixture.app().test(.router) { client in
            try await Self.page(
                client, "/acme/lookup?lang=\(language)", method: .post, form: [("order_number", "ACME-1001"), ("email", "someone@example.com")])
        }
        #expect(html.contains("ACME-1001") && html.contains("someone@example.com"))
        try Snapshot.expect(html, matches: "lookup-miss-\(language).html")
    }

    @Test(arguments: ["en", "de"])
    func notFoundPage(language: String) async throws {
        let fixture = try await Fixture.make()
        let html = try await fixture.app().test(.router) { client in
            try await Self.page(client, "/acme/t/NOSUCHTOKENNOSUCHTOKEN00?lang=\(language)", status: .notFound)
        }
        try Snapshot.expect(html, matches: "not-found-\(language).html")
    }

    /// The link in every email: the two choices, then what the shopper chose.
    @Test(arguments: ["en", "de"])
    func unsubscribePages(language: String) async throws {
        let fixture = try await Self.pinnedFixture()
        let path = "/acme/unsubscribe/\(Self.unsubscribeToken)?lang=\(language)"
        let (choices, done) = try await fixture.app().test(.router) { client in
            (try await Self.page(client, path), try await Self.page(client, path, method: .post, form: [("scope", "all")]))
        }
        try Snapshot.expect(choices, matches: "unsubscribe-\(language).html")
        try Snapshot.expect(done, matches: "unsubscribed-\(language).html")
    }

    /// Post, redirect, get: the tracking page thanking the shopper for subscribing.
    @Test(arguments: ["en", "de"])
    func subscribeConfirmation(language: String) async throws {
        let fixture = try await Self.pinnedFixture()
        let html = try await fixture.app().test(.router) { client in
            let location = try await client.execute(
                uri: "/acme/t/\(Self.trackingToken)/subscribe?lang=\(language)", method: .post, headers: formHeaders,
                body: formBody([("email", "new.shopper@example.org")])
            ) { response in
                #expect(response.status == .seeOther)
                return try #require(response.headers[.location])
            }
            return try await Self.page(client, location)
        }
        #expect(html.contains(#"<p class="notice" role="status">"#))
        try Snapshot.expect(html, matches: "subscribed-\(language).html")
    }

    /// The form again with the problem named, when the address is not one.
    @Test(arguments: ["en", "de"])
    func subscribeMistake(language: String) async throws {
        let fixture = try await Self.pinnedFixture()
        let html = try await fixture.app().test(.router) { client in
            try await Self.page(
                client, "/acme/t/\(Self.trackingToken)/subscribe?lang=\(language)", method: .post, form: [("email", "not an address")],
                status: .unprocessableContent)
        }
        try Snapshot.expect(html, matches: "subscribe-mistake-\(language).html")
    }

    /// `errors/error` for a 404 outside any tenant (the 500 is in `RenderFailureTests`).
    @Test(arguments: ["en", "de"])
    func errorPageNotFound(language: String) async throws {
        let fixture = try await Fixture.make()
        let html = try await fixture.app().test(.router) { client in
            try await Self.page(client, "/no-such-shop?lang=\(language)", status: .notFound)
        }
        try Snapshot.expect(html, matches: "error-404-\(language).html")
    }
}
