import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import WaymarkWeb

@Suite struct SecurityHeaderTests {
    func expectSecurityHeaders(_ response: TestResponse, _ label: String) {
        let csp = response.headers[.contentSecurityPolicy] ?? ""
        #expect(csp.hasPrefix("default-src 'none'"), "\(label): CSP")
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            #expect(csp.contains(directive), "\(label): \(directive)")
        }
        #expect(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "\(label): no script allowed")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(label)")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(label)")
        // Pages and files kept in memory are made with these headers: the middleware must not add them twice.
        let names = [HTTPField.Name.contentSecurityPolicy, .cacheControl] + ["X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"].compactMap { HTTPField.Name($0) }
        for name in names {
            #expect(response.headers[values: name].count <= 1, "\(label): \(name) once")
        }
    }

    @Test func everyHTMLResponseCarriesThemErrorsIncluded() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let requests: [(String, HTTPRequest.Method, HTTPResponse.Status)] = [
                (fixture.acmeTrackingPath, .get, .ok),
                (fixture.acmeTrackingPath, .get, .ok),  // again, from the page cache
                (fixture.acmeTrackingPath, .head, .ok),
                ("/acme", .get, .ok),
                ("/acme/t/AAAAAAAAAAAAAAAAAAAAAAAA", .get, .notFound),
                ("/no-such-tenant", .get, .notFound),
                ("/", .get, .notFound),
                ("/acme/t/x/y/z", .get, .notFound),
                ("/acme/lookup", .get, .notFound),
            ]
            for (path, method, status) in requests {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, "\(path)")
                    expectSecurityHeaders(response, path)
                }
            }
        }
    }

    @Test func apiAndOpsResponsesAreNosniffToo() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for path in ["/healthz", "/api/v1/shipments/shp_nope"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                }
            }
        }
    }

    @Test func hstsOnlyWhenServedOverTLS() async throws {
        let plain = try await Fixture.make { $0.baseURL = "http://127.0.0.1:8080" }
        try await plain.app().test(.router) { client in
            for path in ["/acme", plain.acmeTrackingPath, plain.acmeTrackingPath, "/static/favicon.svg"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.strictTransportSecurity] == nil, "\(path)")
                }
            }
        }
        let tls = try await Fixture.make()
        try await tls.app().test(.router) { client in
            for path in ["/acme", tls.acmeTrackingPath, tls.acmeTrackingPath, "/static/favicon.svg", "/healthz"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.headers[values: .strictTransportSecurity] == [SecurityHeaders.strictTransportSecurity], "\(path)")
                    #expect(response.headers[values: HTTPField.Name("X-Content-Type-Options")!] == ["nosniff"], "\(path)")
                }
            }
        }
    }

    @Test func healthzReportsOk() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "ok\n")
            }
        }
    }
}

/// `/healthz` reads the database at most once a second and says 503 with the reason when it cannot.
@Suite struct HealthCheckTests {
    struct Unreadable: Error, CustomStringConvertible { var description: String { "disk I/O error" } }

    @Test func aFailingDatabaseIs503WithTheReasonAndChecksAreSpacedOut() async throws {
        let calls = Mutex(0)
        let failing = Mutex(false)
        let health = HealthCheck(interval: .seconds(3_600)) {
            calls.withLock { $0 += 1 }
            if failing.withLock({ $0 }) { throw Unreadable() }
        }
        for _ in 0..<10 { #expect(await health.problem() == nil) }
        #expect(calls.withLock { $0 } == 1, "one query for ten probes")

        let router = Router(context: WaymarkRequestContext.self)
        failing.withLock { $0 = true }
        OpsController(health: HealthCheck(interval: .zero) { throw Unreadable() }).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.text == "database unavailable: disk I/O error\n")
        }
    }
}
