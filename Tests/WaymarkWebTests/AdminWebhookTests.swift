import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/webhooks`: endpoints added through the SSRF guard, the secret shown once, rotation,
/// deliveries with what was sent and what came back, send again; tenants and roles kept apart.
@Suite struct AdminWebhookTests {
    @Test func anEndpointIsAddedWatchedRotatedAndReplayed() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            try await owner.get("/admin/webhooks")
            let refused = try await owner.post("/admin/webhooks", [("url", "http://127.0.0.1/hook"), ("event_shipment.status_changed", "on")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("url: "))
            #expect(refused.text.contains("value=\"http://127.0.0.1/hook\""))
            #expect(try await fixture.database.webhookEndpoints(tenantID: tenantID).isEmpty)

            let added = try await owner.post("/admin/webhooks", [
                ("url", "https://hooks.acme.test/waymark"), ("description", "ERP"), ("event_shipment.status_changed", "on"),
            ])
            #expect(added.status == .ok)
            let endpoint = try #require(try await fixture.database.webhookEndpoints(tenantID: tenantID).first)
            #expect(added.text.contains("value=\"\(endpoint.secret)\""))  // shown once, here
            #expect(!(try await owner.get("/admin/webhooks/\(endpoint.id)").text.contains(endpoint.secret)))

            // A status change sends the endpoint a webhook; its attempt is shown with the answer.
            _ = try await fixture.database.recordCheckpoints(tenantID: tenantID, shipmentID: fixture.base.acmeShipment.id, events: [
                CheckpointEvent(occurredAt: Fixture.now, status: .delivered, message: "Delivered, front door", source: "test"),
            ], now: Fixture.now)
            let delivery = try #require(try await fixture.database.deliveries(tenantID: tenantID, endpointID: endpoint.id, shipmentID: nil, limit: 5, before: nil).first)
            try await fixture.database.recordAttempt(
                DeliveryAttempt(deliveryID: delivery.id, attemptedAt: Fixture.now, outcome: .delivered, httpStatus: 202, reply: "{\"received\":true}",
                                latencyMilliseconds: 41),
                resolution: .delivered, endpoint: .healthy, suppress: nil)
            let page = try await owner.get("/admin/webhooks/\(endpoint.id)").text
            #expect(page.contains("shipment.status_changed"))
            #expect(page.contains("&quot;status&quot;:&quot;delivered&quot;"))  // the request body as sent
            #expect(page.contains("HTTP 202 · 41 ms"))
            #expect(page.contains("{&quot;received&quot;:true}"))  // the receiver's answer

            #expect(try await owner.post("/admin/webhooks/\(endpoint.id)/replay", [("delivery", delivery.id)]).status == .seeOther)
            #expect(try await fixture.database.delivery(tenantID: tenantID, id: delivery.id)?.state == .pending)

            let rotated = try await owner.post("/admin/webhooks/\(endpoint.id)/rotate")
            let newSecret = try #require(try await fixture.database.webhookEndpoint(tenantID: tenantID, id: endpoint.id)?.secret)
            #expect(newSecret != endpoint.secret && rotated.text.contains(newSecret))
            let audit = try await owner.get("/admin/audit").text
            #expect(audit.contains("added webhook endpoint https://hooks.acme.test/waymark"))
            #expect(audit.contains("rotated the secret"))
            #expect(audit.contains("sent webhook \(delivery.id) again"))

            #expect(try await owner.post("/admin/webhooks/\(endpoint.id)/delete").status == .seeOther)
            #expect(try await fixture.database.webhookEndpoints(tenantID: tenantID).isEmpty)
        }
    }

    @Test func anotherTenantsEndpointIsNotFoundAndAgentsAreKeptOut() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        let globex = try await fixture.database.createWebhookEndpoint(
            tenantID: fixture.base.globex.tenant.id, url: "https://hooks.globex.test/", eventTypes: ["shipment.created"], statuses: [],
            description: nil, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.get("/admin/webhooks/\(globex.id)").status == .notFound)
            #expect(try await owner.post("/admin/webhooks/\(globex.id)/rotate").status == .notFound)
            #expect(try await owner.post("/admin/webhooks/\(globex.id)/delete").status == .notFound)
            #expect(try await fixture.database.webhookEndpoint(tenantID: fixture.base.globex.tenant.id, id: globex.id)?.secret == globex.secret)

            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin/webhooks").status == .forbidden)
            #expect(try await agent.post("/admin/webhooks", [("url", "https://x.test/"), ("event_shipment.created", "on")]).status == .forbidden)
        }
    }
}
