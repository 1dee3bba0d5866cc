import Foundation
import Testing
import WaymarkCore
import WaymarkStore

private typealias EndpointStores = any WebhookEndpointStore & IdempotencyStore & TenantStore
private typealias SubscriptionStores = any SubscriptionStore & ShipmentStore & TenantStore

private func later(_ seconds: TimeInterval) -> Date { contractDate.addingTimeInterval(seconds) }

private let secret = "whsec_" + String(repeating: "a", count: 32)

/// A shipment without contacts, so it starts with no subscriptions.
private func shipment(_ store: SubscriptionStores, tenantID: Int64, number: String = "1Z999AA10123456784") async throws -> Shipment {
    try await store.createShipment(tenantID: tenantID, try NewShipment(trackingNumber: number, carrier: "ups").validated(), now: contractDate)
}

@Suite("WebhookEndpointStore, IdempotencyStore and SubscriptionStore contract")
struct EndpointSubscriptionContractTests {
    // MARK: Webhook endpoints

    @Test("an endpoint is saved as given, listed in creation order, and reached only through its tenant", arguments: Backend.allCases)
    func endpoints(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let second = try await store.createWebhookEndpoint(
                tenantID: acme.id, url: "https://hooks.acme.example/b", eventTypes: ["shipment.created"], statuses: [], description: nil,
                secret: secret, now: later(20))
            let first = try await store.createWebhookEndpoint(
                tenantID: acme.id, url: "https://hooks.acme.example/a", eventTypes: ["shipment.status_changed", "shipment.created"],
                statuses: [.delivered, .exception], description: "ERP", secret: secret, now: later(10))
            #expect(first.tenantID == acme.id)
            #expect(first.id.hasPrefix("ep_"))
            #expect(first.createdAt == later(10) && first.updatedAt == later(10))
            #expect(first.previousSecret == nil && first.disabledAt == nil && first.failingSince == nil)
            #expect(try await store.webhookEndpoint(tenantID: acme.id, id: first.id) == first)
            #expect(try await store.webhookEndpoint(tenantID: acme.id, id: second.id) == second)
            #expect(try await store.webhookEndpoint(tenantID: other.id, id: first.id) == nil)
            #expect(try await store.webhookEndpoint(tenantID: acme.id, id: "ep_unknown") == nil)
            #expect(try await store.webhookEndpoints(tenantID: acme.id) == [first, second])
            #expect(try await store.webhookEndpoints(tenantID: other.id).isEmpty)

            #expect(try await store.deleteWebhookEndpoint(tenantID: other.id, id: first.id) == false)
            #expect(try await store.deleteWebhookEndpoint(tenantID: acme.id, id: first.id))
            #expect(try await store.deleteWebhookEndpoint(tenantID: acme.id, id: first.id) == false)
            #expect(try await store.webhookEndpoints(tenantID: acme.id) == [second])
        }
    }

    @Test("an endpoint that breaks the table's rules is refused", arguments: Backend.allCases)
    func refusedEndpoint(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            await #expect(throws: (any Error).self) {
                _ = try await store.createWebhookEndpoint(
                    tenantID: acme.id, url: "https://hooks.acme.example", eventTypes: [], statuses: [], description: nil, secret: secret,
                    now: contractDate)
            }
            await #expect(throws: (any Error).self) {
                _ = try await store.createWebhookEndpoint(
                    tenantID: acme.id, url: "https://hooks.acme.example", eventTypes: ["shipment.created"], statuses: [], description: nil,
                    secret: "not a secret", now: contractDate)
            }
            #expect(try await store.webhookEndpoints(tenantID: acme.id).isEmpty)
        }
    }

    @Test("rotating keeps the old secret for a day; enabling clears the failure record; both only for the tenant's own", arguments: Backend.allCases)
    func rotateAndEnable(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let endpoint = try await store.createWebhookEndpoint(
                tenantID: acme.id, url: "https://hooks.acme.example/a", eventTypes: ["shipment.created"], statuses: [], description: nil,
                secret: secret, now: contractDate)
            let newSecret = "whsec_" + String(repeating: "b", count: 32)
            #expect(try await store.rotateWebhookSecret(tenantID: other.id, id: endpoint.id, newSecret: newSecret, now: later(60)) == nil)
            #expect(try await store.rotateWebhookSecret(tenantID: acme.id, id: "ep_unknown", newSecret: newSecret, now: later(60)) == nil)
            let rotated = try #require(try await store.rotateWebhookSecret(tenantID: acme.id, id: endpoint.id, newSecret: newSecret, now: later(60)))
            var expected = endpoint
            expected.secret = newSecret
            expected.previousSecret = secret
            expected.previousSecretExpiresAt = later(60 + WebhookEndpoint.rotationGracePeriod)
            expected.updatedAt = later(60)
            #expect(rotated == expected)
            #expect(try await store.webhookEndpoint(tenantID: acme.id, id: endpoint.id) == expected)
            #expect(rotated.signingSecrets(at: later(120)) == [newSecret, secret])

            // Rotating again: the previous secret is the one just replaced.
            let third = "whsec_" + String(repeating: "c", count: 32)
            let again = try #require(try await store.rotateWebhookSecret(tenantID: acme.id, id: endpoint.id, newSecret: third, now: later(120)))
            #expect(again.secret == third && again.previousSecret == newSecret)

            #expect(try await store.enableWebhookEndpoint(tenantID: other.id, id: endpoint.id, now: later(180)) == false)
            #expect(try await store.enableWebhookEndpoint(tenantID: acme.id, id: "ep_unknown", now: later(180)) == false)
            #expect(try await store.enableWebhookEndpoint(tenantID: acme.id, id: endpoint.id, now: later(180)))
            let enabled = try #require(try await store.webhookEndpoint(tenantID: acme.id, id: endpoint.id))
            #expect(enabled.disabledAt == nil && enabled.disabledReason == nil && enabled.failingSince == nil)
            #expect(enabled.updatedAt == later(180))
            #expect(enabled.secret == third)
        }
    }

    @Test("eight rotations at once: each new secret's previous one is a secret that was current before it", arguments: Backend.allCases)
    func concurrentRotations(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let endpoint = try await store.createWebhookEndpoint(
                tenantID: acme.id, url: "https://hooks.acme.example/a", eventTypes: ["shipment.created"], statuses: [], description: nil,
                secret: secret, now: contractDate)
            let secrets = (0..<8).map { "whsec_" + String(repeating: "\($0)", count: 32) }
            let rotated = try await withThrowingTaskGroup(of: WebhookEndpoint?.self) { group in
                for new in secrets {
                    group.addTask { try await store.rotateWebhookSecret(tenantID: acme.id, id: endpoint.id, newSecret: new, now: later(60)) }
                }
                return try await group.reduce(into: [WebhookEndpoint]()) { if let endpoint = $1 { $0.append(endpoint) } }
            }
            #expect(rotated.count == 8)
            // The rotations form one chain from the first secret: every previous secret is distinct.
            let previous = rotated.compactMap(\.previousSecret)
            #expect(Set(previous).count == 8)
            #expect(Set(previous) == Set([secret] + secrets).subtracting([try #require(try await store.webhookEndpoint(tenantID: acme.id, id: endpoint.id)?.secret)]))
        }
    }

    // MARK: Idempotency keys

    @Test("the first response to a key is kept as given, bytes included; a later one does not replace it", arguments: Backend.allCases)
    func idempotency(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            #expect(try await store.storedResponse(tenantID: acme.id, key: "k1") == nil)
            let response = StoredResponse(requestSHA256: String(repeating: "ab", count: 32), status: 201, body: [0, 1, 0x7F, 0x80, 0xFF] + Array("{}".utf8))
            try await store.storeResponse(tenantID: acme.id, key: "k1", response, now: contractDate)
            #expect(try await store.storedResponse(tenantID: acme.id, key: "k1") == response)
            #expect(try await store.storedResponse(tenantID: acme.id, key: "K1") == nil)
            #expect(try await store.storedResponse(tenantID: other.id, key: "k1") == nil)
            try await store.storeResponse(
                tenantID: acme.id, key: "k1", StoredResponse(requestSHA256: "other", status: 200, body: []), now: later(10))
            #expect(try await store.storedResponse(tenantID: acme.id, key: "k1") == response)
            let empty = StoredResponse(requestSHA256: "sha", status: 204, body: [])
            try await store.storeResponse(tenantID: other.id, key: "k1", empty, now: later(10))
            #expect(try await store.storedResponse(tenantID: other.id, key: "k1") == empty)
            #expect(try await store.storedResponse(tenantID: acme.id, key: "k1") == response)
        }
    }

    @Test("eight twins storing one key at once: none fails and one response is kept", arguments: Backend.allCases)
    func concurrentTwins(_ backend: Backend) async throws {
        try await backend.withStore(as: EndpointStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let responses = (0..<8).map { StoredResponse(requestSHA256: "sha\($0)", status: 200 + $0, body: Array("\($0)".utf8)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for response in responses {
                    group.addTask { try await store.storeResponse(tenantID: acme.id, key: "twin", response, now: contractDate) }
                }
                try await group.waitForAll()
            }
            let kept = try #require(try await store.storedResponse(tenantID: acme.id, key: "twin"))
            #expect(responses.contains(kept))
        }
    }

    // MARK: Subscriptions

    @Test("subscribing needs the tenant's shipment; again is harmless and keeps the token", arguments: Backend.allCases)
    func subscribe(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let parcel = try await shipment(store, tenantID: acme.id)
            #expect(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).isEmpty)
            #expect(try await store.subscribe(tenantID: other.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: contractDate) == false)
            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: "shp_unknown", channel: .email, address: "jane@example.com", now: contractDate) == false)
            #expect(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).isEmpty)

            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: contractDate))
            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .sms, address: "+447700900123", now: later(10)))
            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "bob@example.com", now: later(20)))
            let subscriptions = try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id)
            #expect(subscriptions.map(\.address) == ["jane@example.com", "+447700900123", "bob@example.com"])
            #expect(subscriptions.map(\.channel) == [.email, .sms, .email])
            #expect(subscriptions.allSatisfy { $0.shipmentID == parcel.id && $0.tenantID == acme.id && $0.unsubscribedAt == nil })
            #expect(Set(subscriptions.map(\.unsubscribeToken)).count == 3)
            #expect(try await store.subscriptions(tenantID: other.id, shipmentID: parcel.id).isEmpty)

            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: later(30)))
            #expect(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id) == subscriptions)

            let jane = subscriptions[0]
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken) == jane)
            #expect(try await store.subscription(tenantID: other.id, unsubscribeToken: jane.unsubscribeToken) == nil)
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: "unknown") == nil)
        }
    }

    @Test("unsubscribing keeps the first time, spares other shipments, and subscribing again brings the address back", arguments: Backend.allCases)
    func unsubscribe(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let parcel = try await shipment(store, tenantID: acme.id)
            let second = try await shipment(store, tenantID: acme.id, number: "1Z999AA10123456785")
            try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: contractDate)
            try await store.subscribe(tenantID: acme.id, shipmentID: second.id, channel: .email, address: "jane@example.com", now: contractDate)
            let jane = try #require(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).first)

            #expect(try await store.unsubscribe(tenantID: other.id, token: jane.unsubscribeToken, everything: false, now: later(10)) == nil)
            #expect(try await store.unsubscribe(tenantID: acme.id, token: "unknown", everything: false, now: later(10)) == nil)
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken)?.unsubscribedAt == nil)

            var expected = jane
            expected.unsubscribedAt = later(20)
            #expect(try await store.unsubscribe(tenantID: acme.id, token: jane.unsubscribeToken, everything: false, now: later(20)) == expected)
            #expect(try await store.unsubscribe(tenantID: acme.id, token: jane.unsubscribeToken, everything: false, now: later(30)) == expected)
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken) == expected)
            #expect(try await store.subscriptions(tenantID: acme.id, shipmentID: second.id).first?.unsubscribedAt == nil)
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com") == false)

            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: later(40)))
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken) == jane)
        }
    }

    @Test("unsubscribing from everything suppresses the address on that channel, in any case", arguments: Backend.allCases)
    func unsubscribeEverything(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let parcel = try await shipment(store, tenantID: acme.id)
            try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "Jane@Example.com", now: contractDate)
            let jane = try #require(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).first)
            let left = try #require(try await store.unsubscribe(tenantID: acme.id, token: jane.unsubscribeToken, everything: true, now: later(10)))
            #expect(left.unsubscribedAt == later(10))
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com"))
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .sms, address: "Jane@Example.com") == false)
            #expect(try await store.isSuppressed(tenantID: other.id, channel: .email, address: "Jane@Example.com") == false)
            // Clicked twice: still one suppression, still the first time.
            #expect(try await store.unsubscribe(tenantID: acme.id, token: jane.unsubscribeToken, everything: true, now: later(20)) == left)
            #expect(try await store.unsuppress(tenantID: acme.id, channel: .email, address: "JANE@example.com"))
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "Jane@Example.com") == false)
        }
    }

    @Test("eight clicks of one unsubscribe link at once all answer with the one time kept", arguments: Backend.allCases)
    func concurrentUnsubscribes(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let parcel = try await shipment(store, tenantID: acme.id)
            try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: contractDate)
            let jane = try #require(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).first)
            let answers = try await withThrowingTaskGroup(of: Subscription?.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await store.unsubscribe(tenantID: acme.id, token: jane.unsubscribeToken, everything: true, now: later(Double(10 + index)))
                    }
                }
                return try await group.reduce(into: [Subscription?]()) { $0.append($1) }
            }
            let kept = try #require(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken)?.unsubscribedAt)
            #expect(answers.count == 8)
            #expect(answers.allSatisfy { $0?.unsubscribedAt == kept })
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com"))
        }
    }

    @Test("a deleted shipment takes its subscriptions with it", arguments: Backend.allCases)
    func deletedShipment(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let parcel = try await shipment(store, tenantID: acme.id)
            try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: contractDate)
            let jane = try #require(try await store.subscriptions(tenantID: acme.id, shipmentID: parcel.id).first)
            #expect(try await store.deleteShipment(tenantID: acme.id, id: parcel.id))
            #expect(try await store.subscription(tenantID: acme.id, unsubscribeToken: jane.unsubscribeToken) == nil)
            #expect(try await store.subscribe(tenantID: acme.id, shipmentID: parcel.id, channel: .email, address: "jane@example.com", now: later(10)) == false)
        }
    }

    // MARK: Suppressions

    @Test("a suppression holds in any case, per tenant and channel, keeps its first reason and lifts once", arguments: Backend.allCases)
    func suppressions(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com") == false)
            try await store.suppress(tenantID: acme.id, channel: .email, address: "Jane@Example.com", reason: "hard bounce", now: contractDate)
            try await store.suppress(tenantID: acme.id, channel: .email, address: "JANE@EXAMPLE.COM", reason: "complaint", now: later(10))
            try await store.suppress(tenantID: acme.id, channel: .sms, address: "+447700900123", reason: "STOP", now: contractDate)
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com"))
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .sms, address: "jane@example.com") == false)
            #expect(try await store.isSuppressed(tenantID: other.id, channel: .email, address: "jane@example.com") == false)
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .sms, address: "+447700900123"))

            #expect(try await store.unsuppress(tenantID: other.id, channel: .email, address: "jane@example.com") == false)
            #expect(try await store.unsuppress(tenantID: acme.id, channel: .sms, address: "jane@example.com") == false)
            #expect(try await store.unsuppress(tenantID: acme.id, channel: .email, address: "jane@EXAMPLE.com"))
            #expect(try await store.unsuppress(tenantID: acme.id, channel: .email, address: "jane@example.com") == false)
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "Jane@Example.com") == false)
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .sms, address: "+447700900123"))
        }
    }

    @Test("eight nodes suppressing one address in different cases at once: none fails, one suppression", arguments: Backend.allCases)
    func concurrentSuppressions(_ backend: Backend) async throws {
        try await backend.withStore(as: SubscriptionStores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await store.suppress(
                            tenantID: acme.id, channel: .email, address: index.isMultiple(of: 2) ? "jane@example.com" : "JANE@example.com",
                            reason: "bounce \(index)", now: contractDate)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.unsuppress(tenantID: acme.id, channel: .email, address: "Jane@example.com"))
            #expect(try await store.isSuppressed(tenantID: acme.id, channel: .email, address: "jane@example.com") == false)
        }
    }
}
