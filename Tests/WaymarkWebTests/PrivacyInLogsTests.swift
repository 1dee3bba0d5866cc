import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkWeb

/// Request logs name the route pattern; tokens, keys and emails never reach them.
@Suite struct PrivacyInLogsTests {
    @Test func logsNameRoutesButNeverSecrets() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            _ = try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { $0 }
            _ = try await client.execute(uri: "/acme/t/AAAAAAAAAAAAAAAAAAAAAAAA", method: .get) { $0 }
            _ = try await client.execute(
                uri: "/acme/lookup?email=jane@example.com", method: .post, headers: formHeaders,
                body: formBody([("order_number", "ACME-1001"), ("email", "jane@example.com")])) { $0 }
            _ = try await client.execute(
                uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .get,
                headers: [.authorization: "Bearer \(fixture.acme.apiKey)"]) { $0 }
            _ = try await client.execute(uri: "/api/v1/shipments/x", method: .get, headers: [.authorization: "Bearer wm_wrong"]) { $0 }
        }
        let logs = fixture.logs.all
        #expect(logs.contains("/{tenant}/t/{token}"), "route patterns are logged:\n\(logs)")
        #expect(logs.contains("/api/v1/shipments/{id}"))
        for secret in [fixture.acmeShipment.token, fixture.acme.apiKey, "wm_wrong", "jane@example.com", "ACME-1001"] {
            #expect(!logs.contains(secret), "logs contain \(secret)")
        }
    }
}
