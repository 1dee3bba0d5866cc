import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// An endpoint's deliveries with their attempts logs, paging, replay, and re-enabling an
/// endpoint the dispatcher disabled.
@Suite struct DeliveriesAPITests {
    func auth(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/json"] }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// Acme with an endpoint for every event and the outbox's deliveries to it after the
    /// shipment was delivered.
    func fixtureWithDeliveries() async throws -> (Fixture, WebhookEndpoint, [Delivery]) {
        let fixture = try await Fixture.make()
        let endpoint = try await fixture.database.createWebhookEndpoint(
            tenantID: fixture.acme.tenant.id, url: "https://hooks.acme.test/w", eventTypes: NotificationTrigger.webhookEventTypes,
            secret: "whsec_AAAA", now: Fixture.now)
        _ = try await fixture.database.recordCheckpoints(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id, events: [
            CheckpointEvent(occurredAt: Fixture.now.addingTimeInterval(-60), status: .delivered, message: "Delivered", source: "test"),
        ], now: Fixture.now)
        let deliveries = try await fixture.database.deliveries(tenantID: fixture.acme.tenant.id, endpointID: endpoint.id)
        try #require(deliveries.count >= 2, "a delivered checkpoint raises status_changed and checkpoint_added")
        return (fixture, endpoint, deliveries)
    }

    @Test func listsAnEndpointsDeliveriesWithTheirAttemptsAndReplaysAFailedOneUnderTheSameID() async throws {
        let (fixture, endpoint, _) = try await fixtureWithDeliveries()
        let key = fixture.acme.apiKey
        // The dispatcher's side: claim everything, fail one for good with a 500, disable the endpoint with a 410.
        let claimed = try await fixture.database.claimDueDeliveries(owner: "test", now: Fixture.now, limit: 10)
        let failed = try #require(claimed.first { $0.delivery.channel == .webhook && $0.delivery.eventType == "shipment.status_changed" }?.delivery)
        try await fixture.database.recordAttempt(
            DeliveryAttempt(deliveryID: failed.id, attemptedAt: Fixture.now, outcome: .retry, httpStatus: 500, latencyMilliseconds: 41, error: "HTTP 500"),
            resolution: .retry(at: Fixture.now.addingTimeInterval(5)), endpoint: .failing)
        try await fixture.database.recordAttempt(
            DeliveryAttempt(deliveryID: failed.id, attemptedAt: Fixture.now.addingTimeInterval(5), outcome: .failed, httpStatus: 410,
                            latencyMilliseconds: 12, error: "HTTP 410: endpoint gone"),
            resolution: .failed, endpoint: .disable(reason: "the receiver answered 410 Gone"))

        try await fixture.app().test(.router) { client in
            let listed = try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)/deliveries", method: .get, headers: auth(key)) { response in
                #expect(response.status == .ok)
                return try json(response)
            }
            #expect(listed["next_cursor"] is NSNull)
            let data = try #require(listed["data"] as? [[String: Any]])
            let item = try #require(data.first { $0["id"] as? String == failed.id })
            #expect(item["state"] as? String == "failed")
            #expect(item["event_type"] as? String == "shipment.status_changed")
            #expect(item["shipment_id"] as? String == fixture.acmeShipment.id)
            #expect(item["attempt_count"] as? Int == 2)
            #expect(item["last_error"] as? String == "HTTP 410: endpoint gone")
            #expect(item["next_attempt_at"] is NSNull)
            #expect(item["delivered_at"] is NSNull)
            let attempts = try #require(item["attempts"] as? [[String: Any]])
            #expect(attempts.map { $0["http_status"] as? Int } == [500, 410])
            #expect(attempts.map { $0["outcome"] as? String } == ["retry", "failed"])
            #expect(attempts.first?["latency_ms"] as? Int == 41)
            #expect(attempts.first?["attempted_at"] as? String == RFC3339.format(Fixture.now))

            // The endpoint says why it is off; enabling it clears that.
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)", method: .get, headers: auth(key)) { response in
                let body = try json(response)
                #expect(body["enabled"] as? Bool == false)
                #expect(body["disabled_reason"] as? String == "the receiver answered 410 Gone")
                #expect(body["disabled_at"] as? String == RFC3339.format(Fixture.now.addingTimeInterval(5)))
                #expect(body["failing_since"] as? String == RFC3339.format(Fixture.now))
            }
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)/enable", method: .post, headers: auth(key)) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["enabled"] as? Bool == true)
                #expect(body["disabled_at"] is NSNull)
                #expect(body["failing_since"] is NSNull)
            }

            try await client.execute(uri: "/api/v1/deliveries/\(failed.id)/replay", method: .post, headers: auth(key)) { response in
                #expect(response.status == .accepted)
                let body = try json(response)
                #expect(body["id"] as? String == failed.id)
                #expect(body["state"] as? String == "pending")
                #expect(body["attempt_count"] as? Int == 0)
                #expect(body["next_attempt_at"] as? String == RFC3339.format(Fixture.now))
            }
        }
        let replayed = try #require(try await fixture.database.delivery(tenantID: fixture.acme.tenant.id, id: failed.id))
        #expect(replayed.state == .pending)
        #expect(replayed.lastError == nil)
        // Due now, so the dispatcher picks it up again under the same id.
        let reclaimed = try await fixture.database.claimDueDeliveries(owner: "test", now: Fixture.now.addingTimeInterval(1), limit: 10)
        #expect(reclaimed.map(\.delivery.id).contains(failed.id))
    }

    @Test func pagesNewestFirstWithACursor() async throws {
        let (fixture, endpoint, deliveries) = try await fixtureWithDeliveries()
        let key = fixture.acme.apiKey
        try await fixture.app().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)/deliveries?limit=1", method: .get, headers: auth(key)) { response in
                #expect(response.status == .ok)
                return try json(response)
            }
            let cursor = try #require(first["next_cursor"] as? String)
            let firstIDs = (first["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(firstIDs == [deliveries[0].id])
            try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)/deliveries?limit=1&cursor=\(cursor)", method: .get, headers: auth(key)) { response in
                let ids = (try json(response)["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == [deliveries[1].id])
            }
            for query in ["limit=0", "limit=101", "limit=x", "cursor=msg_nothing"] {
                try await client.execute(uri: "/api/v1/webhook-endpoints/\(endpoint.id)/deliveries?\(query)", method: .get, headers: auth(key)) { response in
                    #expect(response.status == .badRequest, "\(query)")
                }
            }
        }
    }

    @Test func replaysAShoppersEmailToo() async throws {
        let (fixture, _, _) = try await fixtureWithDeliveries()
        let email = try #require(try await fixture.database.deliveries(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id)
            .first { $0.channel == .email })
        try await fixture.database.setAside(deliveryID: email.id, skipReason: "test: skipped", now: Fixture.now)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/deliveries/\(email.id)/replay", method: .post, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .accepted)
                let body = try json(response)
                #expect(body["channel"] as? String == "email")
                #expect(body["state"] as? String == "pending")
            }
            try await client.execute(uri: "/api/v1/deliveries/msg_unknown/replay", method: .post, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
