import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// A template that is not there is an error wherever it is needed: at start-up when it can be
/// known then, else a logged 500 for a page and a failed composition for a message. Never an
/// empty 200 page or an empty email, which is what swift-mustache's nil for an unknown
/// template used to become.
@Suite struct RenderFailureTests {
    /// A copy of Views/ without the templates named (`shopper/lookup`), in a fresh folder.
    static func views(without missing: [String]) throws -> String {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("views-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Views"), to: copy)
        for name in missing {
            try FileManager.default.removeItem(at: copy.appendingPathComponent("\(name).mustache"))
        }
        return copy.path
    }

    /// The shopper routes behind the app's error middleware, both using `renderer`.
    static func shopperApp(renderer: PageRenderer, fixture: Fixture) throws -> some ApplicationProtocol {
        let catalog = try Catalog(directory: packageRoot.appendingPathComponent("Locales").path)
        let router = Router(context: WaymarkRequestContext.self)
        router.add(middleware: EdgeMiddleware(errors: ErrorPages(renderer: renderer, catalog: catalog), servesTLS: false))
        ShopperController(
            database: fixture.database, renderer: renderer, catalog: catalog, clientThrottle: RateLimiter(perMinute: 100),
            tenantThrottle: RateLimiter(perMinute: 100), pageCache: TrackingPageCache(), stamps: TrackingPageStamps(database: fixture.database), usage: UsageRecorder(), now: { Fixture.now },
            links: PublicLinks(baseURL: "https://track.waymark.test")
        ).addRoutes(to: router)
        return Application(router: router, logger: fixture.logs.logger())
    }

    @Test func renderingATemplateThatDoesNotExistThrowsNamingIt() async throws {
        let renderer = try await PageRenderer(viewsPath: packageRoot.appendingPathComponent("Views").path)

        #expect(throws: RenderError(template: "shopper/no-such-page")) {
            try renderer.html("shopper/no-such-page", ["title": "anything"])
        }
    }

    /// The lookup page's template is gone (the renderer is made without the start-up check):
    /// the shopper gets the real error page with a 500, and the log says which template.
    @Test(arguments: ["en", "de"])
    func aPageWhoseTemplateIsMissingIsALogged500(language: String) async throws {
        let fixture = try await Fixture.make()
        let renderer = try PageRenderer(viewsPath: try Self.views(without: ["shopper/lookup"]), requiring: [])

        let (status, html) = try await Self.shopperApp(renderer: renderer, fixture: fixture).test(.router) { client in
            try await client.execute(uri: "/acme?lang=\(language)", method: .get) { ($0.status, $0.text) }
        }

        #expect(status == .internalServerError)
        #expect(fixture.logs.all.contains("template shopper/lookup is not loaded"))
        #expect(html.contains(#"<html lang="\#(language)">"#) && html.contains(#"<section class="error-page""#))
        try Snapshot.expect(html, matches: "error-500-\(language).html")
    }

    /// Even without `errors/error` the answer keeps its status and says it in plain text.
    @Test func withoutTheErrorTemplateTooTheAnswerIsStillA500() async throws {
        let fixture = try await Fixture.make()
        let renderer = try PageRenderer(viewsPath: try Self.views(without: ["shopper/lookup", "errors/error"]), requiring: [])

        let (status, type, body) = try await Self.shopperApp(renderer: renderer, fixture: fixture).test(.router) { client in
            try await client.execute(uri: "/acme", method: .get) { ($0.status, $0.headers[.contentType], $0.text) }
        }

        #expect(status == .internalServerError)
        #expect(type == "text/plain; charset=utf-8")
        #expect(body == "500 Internal Server Error\n")
        #expect(fixture.logs.all.contains("template errors/error is not loaded"))
    }

    /// A layout the pages extend is missing: swift-mustache would render each page as nothing,
    /// so the renderer refuses to start, naming the page and the layout.
    @Test func aMissingLayoutIsAStartUpError() async throws {
        let views = try Self.views(without: ["layouts/shopper"])

        let error = await #expect(throws: PageRenderer.MissingTemplate.self) { try await PageRenderer(viewsPath: views) }

        #expect(error?.description.contains("uses layouts.shopper, which is missing") == true, "\(String(describing: error))")
    }

    @Test func aMissingRequiredTemplateIsAStartUpError() async throws {
        let pages = try Self.views(without: ["shopper/unsubscribe"])
        let messages = try Self.views(without: ["sms/stalled"])

        let page = await #expect(throws: PageRenderer.MissingTemplate.self) { try await PageRenderer(viewsPath: pages) }
        let message = #expect(throws: PageRenderer.MissingTemplate.self) { try MessageFixture.composer(viewsPath: messages) }

        #expect(page?.description.contains("shopper/unsubscribe.mustache is missing") == true)
        #expect(message?.description.contains("sms/stalled.mustache is missing") == true)
    }

    /// A message's template is gone (the composer is made without the start-up check): the
    /// email and the text fail as compositions, naming the delivery and the template.
    @Test func aMessageWhoseTemplateIsMissingIsACompositionFailure() async throws {
        let views = try Self.views(without: ["emails/text/out_for_delivery", "sms/out_for_delivery"])
        let composer = try MessageFixture.composer(viewsPath: views, requiring: [])

        let email = await #expect(throws: TemplateMessageComposer.CompositionError.self) {
            try await composer.email(for: MessageFixture.claimed())
        }
        let sms = await #expect(throws: TemplateMessageComposer.CompositionError.self) {
            try await composer.sms(for: MessageFixture.claimed(channel: .sms))
        }

        #expect(email?.description == "delivery msg_fixture cannot be written: template emails/text/out_for_delivery is not loaded, so nothing could be rendered")
        #expect(sms?.description.contains("template sms/out_for_delivery is not loaded") == true)
        // Other messages still compose.
        #expect(try await composer.email(for: MessageFixture.claimed(triggerKey: "status:delivered")).text.contains("ACME-1001"))
    }
}
