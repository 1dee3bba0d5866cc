import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkStore
@testable import WaymarkWeb

/// `/api/v1/webhook-endpoints`: the lifecycle of an endpoint and its secret, input validation,
/// the SSRF guard at save time, and tenant isolation.
@Suite struct WebhookEndpointsAPITests {
    func auth(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/json"] }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func endpointBody(_ url: String, events: [String] = ["shipment.status_changed"]) -> ByteBuffer {
        let data = (try? JSONSerialization.data(withJSONObject: ["url": url, "events": events], options: .sortedKeys)) ?? Data()
        return ByteBuffer(bytes: data)
    }

    @Test func createsListsReadsRotatesAndDeletesAnEndpointShowingTheSecretOnlyOnCreateAndRotate() async throws {
        let fixture = try await Fixture.make()
        let key = fixture.acme.apiKey
        try await fixture.app().test(.router) { client in
            let body = #"{"url": "https://hooks.acme.test/waymark", "events": ["shipment.created", "shipment.status_changed"], "statuses": ["delivered"], "description": "ERP"}"#
            let created = try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(key), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                return (try json(response), response.headers[.location])
            }
            let id = try #require(created.0["id"] as? String)
            #expect(created.1 == "/api/v1/webhook-endpoints/\(id)")
            #expect(created.0["url"] as? String == "https://hooks.acme.test/waymark")
            #expect(created.0["events"] as? [String] == ["shipment.created", "shipment.status_changed"])
            #expect(created.0["statuses"] as? [String] == ["delivered"])
            #expect(created.0["description"] as? String == "ERP")
            let secret = try #require(created.0["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            let raw = try #require(Data(base64Encoded: String(secret.dropFirst("whsec_".count))))
            #expect((24...64).contains(raw.count))

            // Lists and reads never show it again.
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .get, headers: auth(key)) { response in
                #expect(response.status == .ok)
                let data = try #require(try json(response)["data"] as? [[String: Any]])
                #expect(data.count == 1)
                #expect(data.first?["id"] as? String == id)
                #expect(data.first?["secret"] == nil)
                #expect(!response.text.contains(secret))
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)", method: .get, headers: auth(key)) { response in
                #expect(response.status == .ok)
                let endpoint = try json(response)
                #expect(endpoint["secret"] == nil)
                #expect(endpoint["enabled"] as? Bool == true)
                #expect(endpoint["disabled_at"] is NSNull)
                #expect(endpoint["disabled_reason"] is NSNull)
                #expect(endpoint["failing_since"] is NSNull)
                #expect(!response.text.contains(secret))
            }

            let rotated = try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)/rotate-secret", method: .post, headers: auth(key)) { response in
                #expect(response.status == .ok)
                return try json(response)
            }
            let newSecret = try #require(rotated["secret"] as? String)
            #expect(newSecret.hasPrefix("whsec_") && newSecret != secret)
            #expect(rotated["previous_secret_expires_at"] as? String
                == RFC3339.format(Fixture.now.addingTimeInterval(WebhookEndpoint.rotationGracePeriod)))
            // The store signs with both during the grace period.
            let stored = try #require(try await fixture.database.webhookEndpoint(tenantID: fixture.acme.tenant.id, id: id))
            #expect(stored.signingSecrets(at: Fixture.now) == [newSecret, secret])
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)", method: .get, headers: auth(key)) { response in
                let body = try json(response)
                #expect(body["secret"] == nil)
                #expect(!response.text.contains(newSecret))
            }

            try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)", method: .delete, headers: auth(key)) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)", method: .get, headers: auth(key)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(id)", method: .delete, headers: auth(key)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func refusesUnknownEventsAndStatusesNamingThemAndTheValidOnes() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let body = #"{"url": "https://hooks.acme.test/w", "events": ["shipment.created", "shipment.exploded"], "statuses": ["lost"]}"#
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let errors = try #require(try json(response)["errors"] as? [[String: String]])
                let events = try #require(errors.first { $0["field"] == "events[1]" })
                #expect(events["reason"]?.contains("shipment.exploded") == true)
                #expect(events["reason"]?.contains("shipment.eta_changed") == true)
                #expect(errors.contains { $0["field"] == "statuses[0]" && $0["reason"]?.contains("lost") == true })
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey),
                                     body: endpointBody("https://hooks.acme.test/w", events: [])) { response in
                #expect(response.status == .unprocessableContent)
                let errors = try json(response)["errors"].map { "\($0)" } ?? ""
                #expect(errors.contains("events"))
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey),
                                     body: ByteBuffer(string: #"{"events": ["shipment.created"]}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let errors = try json(response)["errors"].map { "\($0)" } ?? ""
                #expect(errors.contains("url"))
            }
            #expect(try await fixture.database.webhookEndpoints(tenantID: fixture.acme.tenant.id).isEmpty)
        }
    }

    @Test(arguments: [
        "http://127.0.0.1/hook", "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://2130706433/hook", "http://0177.0.0.1/hook",
        "http://0x7f000001/hook", "http://localhost:8080/hook", "ftp://hooks.acme.test/hook", "file:///etc/passwd",
        "http://192.168.1.10/hook", "http://100.64.0.1/hook",
    ])
    func refusesURLsThatReachPrivateOrLocalPlaces(url: String) async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey), body: endpointBody(url)) { response in
                #expect(response.status == .unprocessableContent)
                let errors = try #require(try json(response)["errors"] as? [[String: String]])
                let reason = try #require(errors.first { $0["field"] == "url" }?["reason"])
                #expect(!reason.isEmpty)
            }
            #expect(try await fixture.database.webhookEndpoints(tenantID: fixture.acme.tenant.id).isEmpty)
        }
    }

    @Test func theOperatorsOutboundPolicyLetsAPrivateRangeThrough() async throws {
        let fixture = try await Fixture.make { $0.outboundPolicy = try! OutboundPolicy(allowList: "127.0.0.0/8") }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey),
                                     body: endpointBody("http://127.0.0.1:9999/hook")) { response in
                #expect(response.status == .created)
            }
            // Still not another private range.
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey),
                                     body: endpointBody("http://10.0.0.1/hook")) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }

    @Test func capsTheEndpointsOfATenant() async throws {
        let fixture = try await Fixture.make()
        for index in 0..<WebhookEndpointsController.maxEndpointsPerTenant {
            _ = try await fixture.database.createWebhookEndpoint(
                tenantID: fixture.acme.tenant.id, url: "https://hooks.acme.test/\(index)", eventTypes: ["shipment.created"], secret: "whsec_AAAA")
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.acme.apiKey),
                                     body: endpointBody("https://hooks.acme.test/one-more")) { response in
                #expect(response.status == .unprocessableContent)
                let detail = try json(response)["detail"] as? String ?? ""
                #expect(detail.contains("at most 20"))
            }
            // Another tenant is not affected.
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: auth(fixture.globex.apiKey),
                                     body: endpointBody("https://hooks.globex.test/w")) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func anIdempotencyKeyCreatesOneEndpoint() async throws {
        let fixture = try await Fixture.make()
        let headers = {
            var headers = auth(fixture.acme.apiKey)
            headers[Idempotency.header] = "create-endpoint-1"
            return headers
        }()
        try await fixture.app().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: headers,
                                                 body: endpointBody("https://hooks.acme.test/w")) { response in
                #expect(response.status == .created)
                return response.text
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .post, headers: headers,
                                     body: endpointBody("https://hooks.acme.test/w")) { response in
                #expect(response.status == .created)
                #expect(response.headers[Idempotency.replayedHeader] == "true")
                #expect(response.text == first)
            }
        }
        #expect(try await fixture.database.webhookEndpoints(tenantID: fixture.acme.tenant.id).count == 1)
    }

    @Test func anotherTenantsEndpointsAndDeliveriesAreNotFound() async throws {
        let fixture = try await Fixture.make()
        let endpoint = try await fixture.database.createWebhookEndpoint(
            tenantID: fixture.acme.tenant.id, url: "https://hooks.acme.test/w", eventTypes: NotificationTrigger.webhookEventTypes, secret: "whsec_AAAA",
            now: Fixture.now)
        _ = try await fixture.database.recordCheckpoints(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id, events: [
            CheckpointEvent(occurredAt: Fixture.now.addingTimeInterval(-60), status: .delivered, message: "Delivered", source: "test"),
        ], now: Fixture.now)
        let delivery = try #require(try await fixture.database.deliveries(tenantID: fixture.acme.tenant.id, endpointID: endpoint.id).first)
        let globex = auth(fixture.globex.apiKey)
        try await fixture.app().test(.router) { client in
            for (uri, method) in [
                ("/api/v1/webhook-endpoints/\(endpoint.id)", HTTPRequest.Method.get),
                ("/api/v1/webhook-endpoints/\(endpoint.id)", .delete),
                ("/api/v1/webhook-endpoints/\(endpoint.id)/rotate-secret", .post),
                ("/api/v1/webhook-endpoints/\(endpoint.id)/enable", .post),
                ("/api/v1/webhook-endpoints/\(endpoint.id)/deliveries", .get),
                ("/api/v1/deliveries/\(delivery.id)/replay", .post),
            ] {
                try await client.execute(uri: uri, method: method, headers: globex) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints", method: .get, headers: globex) { response in
                #expect(!response.text.contains(endpoint.id))
            }
        }
        let unchanged = try #require(try await fixture.database.webhookEndpoint(tenantID: fixture.acme.tenant.id, id: endpoint.id))
        #expect(unchanged.secret == "whsec_AAAA")
    }

    @Test func otherMethodsGet405WithAllow() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/webhook-endpoints/ep_x", method: .put, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, DELETE, HEAD")
            }
            try await client.execute(uri: "/api/v1/deliveries/msg_x/replay", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
    }
}
