import Foundation
import Hummingbird
import Prometheus
import Testing
import WaymarkCore
import WaymarkNotify
@testable import WaymarkWeb

/// `SiteRoute` names every path: the router registers exactly its routes, every path built from
/// a route finds its way back to it, and what is derived from it (reserved slugs, custom-domain
/// pass-through, the API's 405 table) follows.
@Suite struct SiteRouteTests {
    /// Sample values for each parameter name a template uses.
    static let samples = ["tenant": "acme", "token": "pzgwnK6zguo2pibMV664qFQ9", "id": "shp_knr8k2PE2RJmdj8ssBCq", "provider": "aftership"]

    static func sampleValues(_ route: SiteRoute) -> [String] {
        route.segments.filter { $0.hasPrefix("{") }.map { samples[String($0.dropFirst().dropLast())] ?? "x" }
    }

    @Test("The router registers every route with each of its methods, and nothing else")
    func everyRouteIsRegistered() async throws {
        let fixture = try await Fixture.make { $0.demo = true }
        let routes = try await buildRoutes(
            config: fixture.config, database: fixture.database, logger: fixture.logs.logger(), metrics: PrometheusCollectorRegistry(),
            mail: .init(transport: MailFolderTransport(directory: FileManager.default.temporaryDirectory), sender: try Mailbox("test@waymark.test")),
            usage: UsageRecorder(), domainProof: TXTTable(), now: { Fixture.now })
        let registered = Set(routes.router.routes.filter { $0.method != .head }.map { "\($0.method) \($0.path)" })
        let declared = Set(SiteRoute.allCases.flatMap { route in
            route.methods.map { "\($0.rawValue) /\(route.template(relativeTo: .root))" }
        })
        #expect(registered == declared, "registered but not declared: \(registered.subtracting(declared)); declared but not registered: \(declared.subtracting(registered))")
    }

    /// `SiteResponder` answers the tracking page and static files before the router: for every
    /// route's path and the near misses around those two, the app answers as the router alone
    /// does, with the same status, body and logged route pattern.
    @Test("The shortcuts past the router answer exactly as the router would")
    func trackingPageShortcut() async throws {
        let fixture = try await Fixture.make()
        let token = fixture.acmeShipment.token
        #expect(SiteResponder.trackingPageParameters("/acme/t/\(token)").map { [$0.tenant, $0.token] } == ["acme", Substring(token)])
        for path in ["/admin/t/x", "/api/t/x", "/acme/t/x/y", "/acme/t/", "//acme/t/x", "/acme/T/x", "/acme/t"] {
            #expect(SiteResponder.trackingPageParameters(path) == nil, "\(path)")
        }
        #expect(SiteResponder.isStaticFile("/static/css/shopper.css") && !SiteResponder.isStaticFile("/static/"))
        let routes = try await buildRoutes(
            config: fixture.config, database: fixture.database, logger: fixture.logs.logger(), metrics: PrometheusCollectorRegistry(),
            mail: .init(transport: MailFolderTransport(directory: FileManager.default.temporaryDirectory), sender: try Mailbox("test@waymark.test")),
            usage: UsageRecorder(), domainProof: TXTTable(), now: { Fixture.now })
        let paths = SiteRoute.allCases.map { $0 == .staticFiles ? "/static/favicon.svg" : $0.path(Self.sampleValues($0)) } + [
            "/acme/t/\(token)", "/acme/t/\(token)?lang=de&src=email", "/acme/t/\(token)/", "//acme/t/\(token)", "/acme//t/\(token)",
            "/acme/t//\(token)", "/acme/T/\(token)", "/acme/t/", "/admin/t/\(token)", "/api/t/x", "/static/t/x", "/healthz/t/x",
            "/nobody/t/\(token)", "/acme/t/not-a-token", "/ACME/t/\(token)",
            "/static/css/shopper.css", "/static/css/shopper.css?v=0&x=1", "/static/", "/static", "/static//favicon.svg", "/static/nope.css",
            "/staticx/favicon.svg", "/Static/favicon.svg",
        ]
        func answers(_ responder: some HTTPResponder<WaymarkRequestContext>) async throws -> [String] {
            let logs = LogCapture()
            return try await Application(responder: responder, logger: logs.logger()).test(.router) { client in
                var answers: [String] = []
                for path in paths {
                    let (status, body) = try await client.execute(uri: path, method: .get) { ($0.status.code, $0.text) }
                    let route = logs.all.split(separator: "\n").last { $0.contains("request method=GET") }?.split(separator: " ").first { $0.hasPrefix("route=") }
                    // Admin forms carry a fresh CSRF token each time.
                    let content = path.hasPrefix("/admin") ? "" : "\(body.count) \(body.hashValue)"
                    answers.append("\(path) \(status) \(route ?? "no access line") \(content)")
                }
                return answers
            }
        }
        let shortcut = try await answers(routes.buildResponder())
        let router = try await answers(routes.router.buildResponder())
        #expect(shortcut == router)
        #expect(shortcut.contains { $0.hasPrefix("/acme/t/\(token) 200 route=/{tenant}/t/{token}") }, "\(shortcut)")
        #expect(shortcut.contains { $0.hasPrefix("/static/css/shopper.css 200 route=/static/**") }, "\(shortcut)")
    }

    @Test("A path built from a route routes back to it, with the same parameters", arguments: SiteRoute.allCases)
    func roundTrip(route: SiteRoute) throws {
        let values = Self.sampleValues(route)
        let path = route == .staticFiles ? route.path() + "/favicon.svg" : route.path(values)
        let (found, parameters) = try #require(SiteRoute.match(path), "\(path)")
        #expect(found == route, "\(path)")
        let names = route.segments.filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        #expect(names.map { parameters[$0] } == values, "\(path)")
    }

    @Test("Shopper paths with the slug and, on a custom domain, without it")
    func shopperPaths() {
        #expect(SiteRoute.trackingPage.shopperPath(prefix: "/acme", "tok") == "/acme/t/tok")
        #expect(SiteRoute.trackingPage.shopperPath(prefix: "", "tok") == "/t/tok")
        #expect(SiteRoute.lookupPage.shopperPath(prefix: "/acme") == "/acme")
        #expect(SiteRoute.lookupPage.shopperPath(prefix: "") == "/")
        #expect(SiteRoute.unsubscribe.shopperPath(prefix: "", "u1") == "/unsubscribe/u1")
        #expect(SiteRoute.theme.path("acme") == "/acme/theme.css")
        #expect(PublicLinks(baseURL: "https://track.example.com").trackingURL(tenantSlug: "acme", token: "tok") == "https://track.example.com/acme/t/tok")
    }

    @Test("Literal segments win over parameters: the SMS hook is not a provider called sms")
    func literalsWin() throws {
        #expect(SiteRoute.match("/hooks/sms/acme")?.route == .smsHook)
        #expect(SiteRoute.match("/hooks/easypost/acme")?.route == .providerHook)
        #expect(SiteRoute.match("/api/v1/shipments/batch")?.route == .shipmentsBatch)
        #expect(SiteRoute.match("/healthz")?.route == .healthz)
        #expect(SiteRoute.match("/acme")?.route == .lookupPage)
        #expect(SiteRoute.match("/a/b/c/d/e/f") == nil)
    }

    @Test("Reserved slugs, custom-domain pass-through and the API's 405 table come from the routes")
    func derived() {
        for segment in SiteRoute.platformSegments where segment.allSatisfy({ $0.isLetter }) {
            #expect(TenantSlug.reserved.contains(segment), "\(segment)")
            #expect(throws: TenantSlug.Invalid.reserved(segment)) { try TenantSlug(segment) }
        }
        for route in SiteRoute.allCases where route.area != .shopper {
            #expect(CustomDomains.isPlatformPath(route.path(Self.sampleValues(route))), "\(route)")
        }
        #expect(!CustomDomains.isPlatformPath("/t/tok"))
        #expect(AllowedMethods.allowHeader(for: "/api/v1/shipments/shp_1") == "GET, PATCH, DELETE, HEAD")
        #expect(AllowedMethods.allowHeader(for: "/api/v1/deliveries/d_1/replay") == "POST")
        #expect(AllowedMethods.routes.count == SiteRoute.allCases.filter { $0.area == .api }.count)
    }
}
