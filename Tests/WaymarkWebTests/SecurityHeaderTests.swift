import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
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
    }

    @Test func everyHTMLResponseCarriesThemErrorsIncluded() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let requests: [(String, HTTPRequest.Method, HTTPResponse.Status)] = [
                (fixture.acmeTrackingPath, .get, .ok),
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
            try await client.execute(uri: "/acme", method: .get) { response in
                #expect(response.headers[.strictTransportSecurity] == nil)
            }
        }
        let tls = try await Fixture.make()
        try await tls.app().test(.router) { client in
            try await client.execute(uri: "/acme", method: .get) { response in
                #expect(response.headers[.strictTransportSecurity]?.contains("max-age=") == true)
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
