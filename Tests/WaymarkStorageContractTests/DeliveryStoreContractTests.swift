import Foundation
import Synchronization
import Testing
import WaymarkCore
import WaymarkStore

private typealias Stores = any TenantStore & ShipmentStore & IngestStore & DeliveryStore
private typealias WebhookStores = any TenantStore & ShipmentStore & IngestStore & DeliveryStore & WebhookEndpointStore

/// When the fixtures' deliveries fall due.
private let due = contractDate.addingTimeInterval(100)

private func draft(_ number: String, email: String? = "jane@example.com") throws -> NewShipment {
    try NewShipment(
        trackingNumber: number, carrier: "ups", orderNumber: "A-\(number)",
        customer: Customer(name: "Jane Doe", email: email), destination: Destination(city: "London", postalCode: "SW1A 1AA", country: "GB")
    ).validated()
}

private func inTransit(_ seconds: TimeInterval = 0, _ message: String = "Departed hub") -> CheckpointEvent {
    CheckpointEvent(occurredAt: contractDate.addingTimeInterval(seconds), status: .inTransit, message: message, source: "test")
}

/// Shipments (one per number) whose first scan made one email to the shopper due at `due`
/// (the tenant has no webhook endpoint). Returns the shipments.
@discardableResult
private func dueEmails(_ store: Stores, tenantID: Int64, _ numbers: [String], email: String = "jane@example.com") async throws -> [Shipment] {
    var shipments: [Shipment] = []
    for result in try await store.createShipments(tenantID: tenantID, try numbers.map { try draft($0, email: email) }, now: contractDate) {
        let shipment = try result.get()
        _ = try await store.recordCheckpoints(tenantID: tenantID, shipmentID: shipment.id, events: [inTransit()], now: due)
        shipments.append(shipment)
    }
    return shipments
}

private func numbers(_ count: Int, prefix: String = "NUMBER") -> [String] {
    (0..<count).map { "\(prefix)\(String(format: "%04d", $0))" }
}

private func attempt(_ id: String, _ outcome: AttemptOutcome, at: Date, error: String? = nil) -> DeliveryAttempt {
    DeliveryAttempt(deliveryID: id, attemptedAt: at, outcome: outcome, httpStatus: 250, reply: "ok", latencyMilliseconds: 12, error: error)
}

@Suite("DeliveryStore contract")
struct DeliveryStoreContractTests {
    @Test("eight claimers at once, each its own node, claim each of 200 due deliveries exactly once", arguments: Backend.allCases)
    func concurrentClaimsTakeEachOnce(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await dueEmails(store, tenantID: tenant.id, numbers(200))
            #expect(try await store.queueDepth()[.email] == 200)
            let claims = try await withThrowingTaskGroup(of: [(owner: String, id: String)].self) { group in
                for node in 0..<8 {
                    group.addTask {
                        var mine: [(owner: String, id: String)] = []
                        while true {
                            let batch = try await store.claimDueDeliveries(
                                owner: "node-\(node)", now: due, lease: 300, limit: 7, busyEndpoints: [], busyTenants: [])
                            if batch.isEmpty { return mine }
                            mine += batch.map { (owner: "node-\(node)", id: $0.delivery.id) }
                        }
                    }
                }
                var all: [(owner: String, id: String)] = []
                for try await claimed in group { all += claimed }
                return all
            }
            #expect(claims.count == 200)
            #expect(Set(claims.map(\.id)).count == 200)
            #expect(try await store.claimDueDeliveries(owner: "late", now: due, lease: 300, limit: 10, busyEndpoints: [], busyTenants: []).isEmpty)
            let states = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: nil, limit: 500, before: nil).map(\.state)
            #expect(states.count == 200 && states.allSatisfy { $0 == .sending })
            // Each node's rows are its own: recovering one node puts back exactly what it claimed.
            let nodeThree = claims.filter { $0.owner == "node-3" }.count
            #expect(try await store.recoverInterruptedDeliveries(owner: "node-3", now: due) == nodeThree)
            #expect(try await store.queueDepth()[.email] == 200)
            #expect(try await store.nextDeliveryDue() == (nodeThree > 0 ? due : nil))
        }
    }

    @Test("a live lease keeps a delivery from others; one that ran out is taken over; recovery touches only its owner's", arguments: Backend.allCases)
    func leases(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await dueEmails(store, tenantID: tenant.id, numbers(3))
            let first = try await store.claimDueDeliveries(owner: "node-a", now: due, lease: 60, limit: 2, busyEndpoints: [], busyTenants: [])
            #expect(first.count == 2 && first.allSatisfy { $0.delivery.state == .sending })
            let second = try await store.claimDueDeliveries(owner: "node-b", now: due, lease: 600, limit: 10, busyEndpoints: [], busyTenants: [])
            #expect(second.count == 1)
            #expect(Set(first.map(\.delivery.id)).isDisjoint(with: second.map(\.delivery.id)))
            // Within node-a's lease nobody else takes its rows.
            let during = due.addingTimeInterval(59)
            #expect(try await store.claimDueDeliveries(owner: "node-c", now: during, lease: 60, limit: 10, busyEndpoints: [], busyTenants: []).isEmpty)
            // node-a died: at the end of its lease node-c takes its rows (and only those).
            let after = due.addingTimeInterval(60)
            let takenOver = try await store.claimDueDeliveries(owner: "node-c", now: after, lease: 600, limit: 10, busyEndpoints: [], busyTenants: [])
            #expect(Set(takenOver.map(\.delivery.id)) == Set(first.map(\.delivery.id)))
            // node-a starts again: its rows are node-c's now, so it recovers none.
            #expect(try await store.recoverInterruptedDeliveries(owner: "node-a", now: after) == 0)
            #expect(try await store.nextDeliveryDue() == nil)
            // node-b restarts: its row is due again at once, and only its row.
            let restart = due.addingTimeInterval(120)
            #expect(try await store.recoverInterruptedDeliveries(owner: "node-b", now: restart) == 1)
            #expect(try await store.nextDeliveryDue() == restart)
            let secondID = try #require(second.first).delivery.id
            let recovered = try #require(try await store.delivery(tenantID: tenant.id, id: secondID))
            #expect(recovered.state == .pending && recovered.nextAttemptAt == restart)
            let again = try await store.claimDueDeliveries(owner: "node-b", now: restart, lease: 60, limit: 10, busyEndpoints: [], busyTenants: [])
            #expect(again.map(\.delivery.id) == second.map(\.delivery.id))
            // node-c's rows were not touched by the recoveries.
            for id in first.map(\.delivery.id) { #expect(try await store.delivery(tenantID: tenant.id, id: id)?.state == .sending) }
        }
    }

    @Test("a claim carries the tenant, shipment and subscription, skips busy tenants, and sees a suppression", arguments: Backend.allCases)
    func claimedDeliveryCarriesWhatSendingNeeds(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let shipments = try await dueEmails(store, tenantID: acme.id, ["ACME0001", "ACME0002"])
            try await dueEmails(store, tenantID: other.id, ["OTHER0001"], email: "sam@example.com")
            // Nothing is due before its time.
            #expect(try await store.claimDueDeliveries(owner: "n", now: contractDate, lease: 60, limit: 10, busyEndpoints: [], busyTenants: []).isEmpty)
            #expect(try await store.claimDueDeliveries(owner: "n", now: due, lease: 60, limit: 0, busyEndpoints: [], busyTenants: []).isEmpty)

            let skipping = try await store.claimDueDeliveries(owner: "n", now: due, lease: 60, limit: 10, busyEndpoints: [], busyTenants: [acme.id])
            #expect(skipping.map(\.tenant.id) == [other.id])
            #expect(skipping.first?.delivery.recipient == "sam@example.com")
            let claims = try await store.claimDueDeliveries(owner: "n", now: due, lease: 60, limit: 1, busyEndpoints: [], busyTenants: [])
            let claimed = try #require(claims.first)
            #expect(claims.count == 1)
            #expect(claimed.tenant == acme)
            let shipment = try #require(claimed.shipment)
            #expect(shipments.map(\.id).contains(shipment.id) && shipment.status == .inTransit)
            #expect(claimed.endpoint == nil)
            #expect(claimed.delivery.channel == .email && claimed.delivery.recipient == "jane@example.com")
            #expect(claimed.delivery.state == .sending && claimed.delivery.shipmentID == shipment.id)
            #expect(claimed.unsubscribeToken?.isEmpty == false)
            #expect(claimed.recipientOptedOut == false)

            // A hard bounce suppresses the address: the other message to it is claimed as opted out.
            try await store.recordAttempt(
                attempt(claimed.delivery.id, .failed, at: due, error: "550 no such user"), resolution: .failed, endpoint: nil, suppress: "hard bounce")
            let next = try #require(try await store.claimDueDeliveries(owner: "n", now: due, lease: 60, limit: 10, busyEndpoints: [], busyTenants: []).first)
            #expect(next.delivery.shipmentID != shipment.id)
            #expect(next.delivery.recipient == "jane@example.com" && next.recipientOptedOut)
            #expect(next.unsubscribeToken?.isEmpty == false && next.unsubscribeToken != claimed.unsubscribeToken)
        }
    }

    @Test("an attempt is logged and settles its delivery: delivered, retried later, or failed for good", arguments: Backend.allCases)
    func recordingAttempts(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            try await dueEmails(store, tenantID: tenant.id, numbers(3))
            let claimed = try await store.claimDueDeliveries(owner: "n", now: due, lease: 60, limit: 10, busyEndpoints: [], busyTenants: [])
                .map(\.delivery.id)
            try #require(claimed.count == 3)
            #expect(try await store.queueDepth() == [.email: 3, .sms: 0, .webhook: 0])
            let sent = due.addingTimeInterval(5)
            let retryAt = due.addingTimeInterval(600)
            try await store.recordAttempt(attempt(claimed[0], .delivered, at: sent), resolution: .delivered, endpoint: nil, suppress: nil)
            try await store.recordAttempt(
                attempt(claimed[1], .retry, at: sent, error: "421 try later"), resolution: .retry(at: retryAt), endpoint: nil, suppress: nil)
            try await store.recordAttempt(
                attempt(claimed[2], .failed, at: sent, error: "554 rejected"), resolution: .failed, endpoint: nil, suppress: nil)

            let delivered = try #require(try await store.delivery(tenantID: tenant.id, id: claimed[0]))
            #expect(delivered.state == .delivered && delivered.deliveredAt == sent && delivered.attempts == 1 && delivered.lastError == nil)
            let retried = try #require(try await store.delivery(tenantID: tenant.id, id: claimed[1]))
            #expect(retried.state == .pending && retried.nextAttemptAt == retryAt && retried.attempts == 1 && retried.lastError == "421 try later")
            #expect(retried.deliveredAt == nil && retried.updatedAt == sent)
            let failed = try #require(try await store.delivery(tenantID: tenant.id, id: claimed[2]))
            #expect(failed.state == .failed && failed.lastError == "554 rejected" && failed.deliveredAt == nil)

            #expect(try await store.queueDepth() == [.email: 1, .sms: 0, .webhook: 0])
            #expect(try await store.nextDeliveryDue() == retryAt)
            // The retried one is not due before its time, then is claimed again.
            #expect(try await store.claimDueDeliveries(owner: "n", now: sent, lease: 60, limit: 10, busyEndpoints: [], busyTenants: []).isEmpty)
            #expect(try await store.claimDueDeliveries(owner: "n", now: retryAt, lease: 60, limit: 10, busyEndpoints: [], busyTenants: [])
                .map(\.delivery.id) == [claimed[1]])
            try await store.recordAttempt(attempt(claimed[1], .delivered, at: retryAt), resolution: .delivered, endpoint: nil, suppress: nil)

            let log = try await store.deliveryAttempts(tenantID: tenant.id, deliveryID: claimed[1])
            #expect(log == [attempt(claimed[1], .retry, at: sent, error: "421 try later"), attempt(claimed[1], .delivered, at: retryAt)])
            #expect(try await store.deliveryAttempts(tenantID: other.id, deliveryID: claimed[1]).isEmpty)
            let logs = try await store.deliveryAttempts(tenantID: tenant.id, deliveryIDs: claimed + ["dlv_unknown"])
            #expect(logs.keys.sorted() == claimed.sorted())
            #expect(logs[claimed[1]] == log && logs[claimed[0]]?.map(\.outcome) == [.delivered])
            #expect(try await store.deliveryAttempts(tenantID: other.id, deliveryIDs: claimed).isEmpty)
            #expect(try await store.deliveryAttempts(tenantID: tenant.id, deliveryIDs: []).isEmpty)
            #expect(try await store.delivery(tenantID: tenant.id, id: claimed[1])?.state == .delivered)
        }
    }

    @Test("a delivery set aside is due again later or skipped; a replay queues it again, but not one being sent", arguments: Backend.allCases)
    func setAsideAndReplay(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            try await dueEmails(store, tenantID: tenant.id, numbers(3))
            let claimed = try await store.claimDueDeliveries(owner: "n", now: due, lease: 3600, limit: 10, busyEndpoints: [], busyTenants: [])
                .map(\.delivery.id)
            try #require(claimed.count == 3)
            let quietHoursEnd = due.addingTimeInterval(8 * 3600)
            try await store.setAside(deliveryID: claimed[0], until: quietHoursEnd, now: due)
            try await store.setAside(deliveryID: claimed[1], skipReason: "shipment delivered meanwhile", now: due)
            let waiting = try #require(try await store.delivery(tenantID: tenant.id, id: claimed[0]))
            #expect(waiting.state == .pending && waiting.nextAttemptAt == quietHoursEnd && waiting.attempts == 0)
            let skipped = try #require(try await store.delivery(tenantID: tenant.id, id: claimed[1]))
            #expect(skipped.state == .skipped && skipped.lastError == "shipment delivered meanwhile")
            #expect(try await store.nextDeliveryDue() == quietHoursEnd)
            // Set aside, it is no one's: a restart of its node makes only the one still in flight due now.
            #expect(try await store.recoverInterruptedDeliveries(owner: "n", now: due) == 1)
            #expect(try await store.delivery(tenantID: tenant.id, id: claimed[0])?.nextAttemptAt == quietHoursEnd)
            #expect(try await store.delivery(tenantID: tenant.id, id: claimed[2])?.state == .pending)
            let replayAt = due.addingTimeInterval(60)
            let replayed = try #require(try await store.replayDelivery(tenantID: tenant.id, id: claimed[1], now: replayAt))
            #expect(replayed.state == .pending && replayed.nextAttemptAt == replayAt && replayed.lastError == nil && replayed.attempts == 0)
            #expect(try await store.replayDelivery(tenantID: other.id, id: claimed[1], now: replayAt) == nil)
            #expect(try await store.replayDelivery(tenantID: tenant.id, id: "dlv_unknown", now: replayAt) == nil)
            // One being sent is left as it is.
            let sending = try await store.claimDueDeliveries(owner: "n", now: replayAt, lease: 60, limit: 10, busyEndpoints: [], busyTenants: [])
            #expect(Set(sending.map(\.delivery.id)) == [claimed[1], claimed[2]])
            #expect(try await store.replayDelivery(tenantID: tenant.id, id: claimed[1], now: replayAt.addingTimeInterval(1))?.state == .sending)
            #expect(try await store.nextDeliveryDue() == quietHoursEnd)
        }
    }

    @Test("deliveries are listed newest first, by shipment, a page at a time, each tenant its own", arguments: Backend.allCases)
    func listing(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            // Five deliveries at one instant (the id breaks the tie) and one later.
            let shipments = try await dueEmails(store, tenantID: tenant.id, numbers(5))
            let late = try await store.createShipment(tenantID: tenant.id, try draft("LATE0001"), now: contractDate)
            _ = try await store.recordCheckpoints(tenantID: tenant.id, shipmentID: late.id, events: [inTransit()], now: due.addingTimeInterval(1))
            let all = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: nil, limit: 50, before: nil)
            #expect(all.count == 6)
            #expect(all.first?.shipmentID == late.id)
            #expect(Set(all.dropFirst().map(\.createdAt)) == [due])
            var paged: [Delivery] = []
            var cursor: String?
            repeat {
                let page = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: nil, limit: 2, before: cursor)
                paged += page
                cursor = page.count == 2 ? page.last?.id : nil
            } while cursor != nil
            #expect(paged == all)
            let one = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: shipments[2].id, limit: 50, before: nil)
            #expect(one.map(\.shipmentID) == [shipments[2].id])
            #expect(try await store.delivery(tenantID: tenant.id, id: one[0].id) == one.first)
            #expect(try await store.delivery(tenantID: other.id, id: one[0].id) == nil)
            #expect(try await store.deliveries(tenantID: other.id, endpointID: nil, shipmentID: nil, limit: 50, before: nil).isEmpty)
            // An unknown cursor pages from the start, as no cursor does.
            #expect(try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: nil, limit: 2, before: "dlv_unknown") == Array(all.prefix(2)))
        }
    }

    @Test("webhook deliveries: the endpoint comes with the claim, busy endpoints wait, answers settle its health", arguments: Backend.allCases)
    func webhookEndpoints(_ backend: Backend) async throws {
        try await backend.withStore(as: WebhookStores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            var endpoints: [WebhookEndpoint] = []
            for host in ["one", "two"] {
                endpoints.append(try await store.createWebhookEndpoint(
                    tenantID: tenant.id, url: "https://\(host).example.com/hooks", eventTypes: NotificationTrigger.webhookEventTypes, statuses: [],
                    description: nil, secret: "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0", now: contractDate))
            }
            let shipment = try await store.createShipment(tenantID: tenant.id, try draft("HOOKED0001", email: nil), now: contractDate)
            let created = try await store.deliveries(tenantID: tenant.id, endpointID: endpoints[0].id, shipmentID: nil, limit: 50, before: nil)
            #expect(created.map(\.eventType) == ["shipment.created"] && created.map(\.recipient) == [endpoints[0].id])

            let claims = try await store.claimDueDeliveries(
                owner: "n", now: contractDate, lease: 60, limit: 10, busyEndpoints: [endpoints[0].id], busyTenants: [])
            let claimed = try #require(claims.first)
            #expect(claims.count == 1 && claimed.endpoint?.id == endpoints[1].id && claimed.endpoint?.url == "https://two.example.com/hooks")
            #expect(claimed.shipment?.id == shipment.id && claimed.unsubscribeToken == nil && claimed.recipientOptedOut == false)

            // Failures count from the first; five days of them disable the endpoint.
            let id = claimed.delivery.id
            try await store.recordAttempt(attempt(id, .retry, at: contractDate, error: "HTTP 500"), resolution: .retry(at: due), endpoint: .failing, suppress: nil)
            #expect(try await store.webhookEndpoint(tenantID: tenant.id, id: endpoints[1].id)?.failingSince == contractDate)
            let fourDays = contractDate.addingTimeInterval(4 * 86_400)
            try await store.recordAttempt(attempt(id, .retry, at: fourDays, error: "HTTP 502"), resolution: .retry(at: fourDays), endpoint: .failing, suppress: nil)
            var endpoint = try #require(try await store.webhookEndpoint(tenantID: tenant.id, id: endpoints[1].id))
            #expect(endpoint.failingSince == contractDate && endpoint.disabledAt == nil)
            // A success clears the failures.
            try await store.recordAttempt(attempt(id, .delivered, at: fourDays), resolution: .delivered, endpoint: .healthy, suppress: "ignored for webhooks")
            #expect(try await store.webhookEndpoint(tenantID: tenant.id, id: endpoints[1].id)?.failingSince == nil)
            let fiveDaysLater = fourDays.addingTimeInterval(WebhookEndpoint.disableAfterFailingFor)
            try await store.recordAttempt(attempt(id, .retry, at: fourDays, error: "HTTP 500"), resolution: .retry(at: due), endpoint: .failing, suppress: nil)
            try await store.recordAttempt(attempt(id, .failed, at: fiveDaysLater, error: "HTTP 503"), resolution: .failed, endpoint: .failing, suppress: nil)
            endpoint = try #require(try await store.webhookEndpoint(tenantID: tenant.id, id: endpoints[1].id))
            #expect(endpoint.disabledAt == fiveDaysLater)
            #expect(endpoint.disabledReason == "every delivery failed for 5 days, the last with: HTTP 503")

            // A 410 disables the other at once.
            let first = try #require(try await store.claimDueDeliveries(
                owner: "n", now: contractDate, lease: 60, limit: 10, busyEndpoints: [], busyTenants: []).first)
            #expect(first.endpoint?.id == endpoints[0].id)
            try await store.recordAttempt(attempt(first.delivery.id, .failed, at: due, error: "HTTP 410"), resolution: .failed,
                                          endpoint: .disable(reason: "the receiver answered 410 Gone"), suppress: nil)
            endpoint = try #require(try await store.webhookEndpoint(tenantID: tenant.id, id: endpoints[0].id))
            #expect(endpoint.disabledAt == due && endpoint.disabledReason == "the receiver answered 410 Gone")
            #expect(try await store.deliveries(tenantID: tenant.id, endpointID: endpoints[1].id, shipmentID: nil, limit: 50, before: nil).map(\.id) == [id])
        }
    }

    @Test("a shipment quiet for longer than its tenant allows is stalled once per quiet spell, and the outbox signal rings", arguments: Backend.allCases)
    func stalledSweep(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let shipment = try #require(try await dueEmails(store, tenantID: tenant.id, ["QUIET0001"]).first)
            let rings = try await ringCounter(store)
            let twoDays = contractDate.addingTimeInterval(2 * 86_400)
            #expect(try await store.enqueueStalledNotifications(now: twoDays, limit: 100) == StalledSweep(decided: 0, written: 0, limit: 100))
            let fourDays = contractDate.addingTimeInterval(4 * 86_400)
            let sweep = try await store.enqueueStalledNotifications(now: fourDays, limit: 100)
            #expect(sweep.decided == 1 && sweep.written == 1 && !sweep.mayHaveMore)
            try await rings.expectRing()
            #expect(try await store.enqueueStalledNotifications(now: fourDays.addingTimeInterval(3600), limit: 100).decided == 0)
            let stalled = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: shipment.id, limit: 50, before: nil)
                .filter { $0.eventType == "shipment.stalled" }
            #expect(stalled.map(\.channel) == [.email])
            #expect(stalled.map(\.triggerKey) == ["stalled:\(Int(contractDate.timeIntervalSince1970))"])
            #expect(stalled.map(\.nextAttemptAt) == [fourDays])
            // A new scan, then a new quiet spell: a new stall.
            _ = try await store.recordCheckpoints(
                tenantID: tenant.id, shipmentID: shipment.id, events: [inTransit(5 * 86_400, "Moving again")], now: contractDate.addingTimeInterval(5 * 86_400))
            #expect(try await store.enqueueStalledNotifications(now: contractDate.addingTimeInterval(9 * 86_400), limit: 100).written == 1)
        }
    }

    @Test("sweeps decide the oldest spells first, a batch at a time; four at once decide each shipment once", arguments: Backend.allCases)
    func concurrentStalledSweeps(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            // One without a contact: decided, though nobody hears of it.
            let silent = try await store.createShipment(tenantID: tenant.id, try draft("SILENT0001", email: nil), now: contractDate)
            _ = try await store.recordCheckpoints(tenantID: tenant.id, shipmentID: silent.id, events: [inTransit(-60)], now: due)
            try await dueEmails(store, tenantID: tenant.id, numbers(12))
            let later = contractDate.addingTimeInterval(4 * 86_400)
            let first = try await store.enqueueStalledNotifications(now: later, limit: 1)
            #expect(first.decided == 1 && first.written == 0 && first.mayHaveMore)
            let sweeps = try await withThrowingTaskGroup(of: [StalledSweep].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var mine: [StalledSweep] = []
                        while true {
                            let sweep = try await store.enqueueStalledNotifications(now: later, limit: 2)
                            mine.append(sweep)
                            if sweep.decided == 0 { return mine }
                        }
                    }
                }
                var all: [StalledSweep] = []
                for try await sweeps in group { all += sweeps }
                return all
            }
            #expect(sweeps.map(\.decided).reduce(0, +) == 12)
            #expect(sweeps.map(\.written).reduce(0, +) == 12)
            let stalled = try await store.deliveries(tenantID: tenant.id, endpointID: nil, shipmentID: nil, limit: 100, before: nil)
                .filter { $0.eventType == "shipment.stalled" }
            #expect(stalled.count == 12 && Set(stalled.compactMap(\.shipmentID)).count == 12)
        }
    }
}

/// Counts rings of a store's outbox signal.
private final class Rings: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .relaxed) }
    func ring() { count.add(1, ordering: .relaxed) }
    func reset() { count.store(0, ordering: .relaxed) }

    /// Waits up to five seconds for a ring.
    func expectRing() async throws {
        var waited = 0
        while value == 0 && waited < 100 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        #expect(value > 0, "the outbox signal did not ring")
    }
}

/// Starts counting the store's outbox signal. On PostgreSQL it rings by LISTEN/NOTIFY: the store
/// starts listening, and counting starts once a NOTIFY of the test's own was heard.
private func ringCounter(_ store: any DeliveryStore) async throws -> Rings {
    let rings = Rings()
    store.outboxSignal.observe { rings.ring() }
    if let postgres = store as? PostgresStore {
        postgres.listenToOtherNodes()
        var waited = 0
        while rings.value == 0 {
            try #require(waited < 200, "the store never heard a NOTIFY")
            try await postgres.execute(unsafeSQL: "NOTIFY waymark_outbox")
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        try await Task.sleep(for: .milliseconds(100))
        rings.reset()
    }
    return rings
}
