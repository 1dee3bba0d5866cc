import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("Outbox: deliveries commit with the change that causes them")
struct OutboxTests {
    struct Setup {
        var database: AppDatabase
        var tenant: Tenant
        var endpoint: WebhookEndpoint
    }

    func setUp(phone: String? = nil) async throws -> (Setup, Shipment) {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let endpoint = try await database.createWebhookEndpoint(
            tenantID: tenant.id, url: "https://hooks.example.com/in", eventTypes: NotificationTrigger.webhookEventTypes,
            secret: "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0", now: storeReferenceDate)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(phone: phone), now: storeReferenceDate)
        return (Setup(database: database, tenant: tenant, endpoint: endpoint), shipment)
    }

    func deliveries(_ setup: Setup) async throws -> [Delivery] {
        try await setup.database.deliveries(tenantID: setup.tenant.id, limit: 1_000)
    }

    @Test("A new shipment plans shipment.created for the endpoint, and nothing for the shopper")
    func createdGoesToWebhooksOnly() async throws {
        let (setup, shipment) = try await setUp()
        let planned = try await deliveries(setup)
        #expect(planned.map(\.channel) == [.webhook])
        #expect(planned.first?.eventType == "shipment.created")
        #expect(planned.first?.recipient == setup.endpoint.id)
        let body = try JSONDecoder().decode(WebhookEventBody.self, from: Data(try #require(planned.first).payload.utf8))
        #expect(body.type == "shipment.created")
        #expect(body.data.id == shipment.id)
        #expect(body.data.tracking_url == "http://127.0.0.1:8080/acme/t/\(shipment.token)")
    }

    @Test("Entering out_for_delivery plans email, SMS and the webhooks, with the snapshot of the change")
    func statusChangePlansEveryChannel() async throws {
        let (setup, shipment) = try await setUp(phone: "+447700900123")
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .outForDelivery, "With courier")],
            now: storeReferenceDate.addingTimeInterval(200))
        let planned = try await deliveries(setup).filter { $0.eventType != "shipment.created" }
        let byChannel = Dictionary(grouping: planned, by: \.channel)
        #expect(byChannel[.email]?.map(\.recipient) == ["Jane.Doe@example.com"])
        #expect(byChannel[.sms]?.map(\.recipient) == ["+447700900123"])
        #expect(Set(byChannel[.webhook]?.map(\.eventType) ?? []) == ["shipment.status_changed", "shipment.checkpoint_added"])
        #expect(planned.allSatisfy { $0.state == .pending && $0.nextAttemptAt == storeReferenceDate.addingTimeInterval(200) })
        let email = try #require(byChannel[.email]?.first)
        #expect(email.triggerKey == "status:out_for_delivery")
        let snapshot = try JSONDecoder().decode(WebhookEventBody.self, from: Data(email.payload.utf8))
        #expect(snapshot.data.status == "out_for_delivery")
        #expect(snapshot.data.checkpoints.map(\.message) == ["With courier"])
    }

    @Test("The same event 50 times, concurrently, plans each message once")
    func concurrentDuplicatesPlanOnce() async throws {
        let (setup, shipment) = try await setUp()
        let event = Fixture.event(100, .inTransit, "Departed hub")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    _ = try await setup.database.recordCheckpoints(tenantID: setup.tenant.id, shipmentID: shipment.id, events: [event])
                }
            }
            try await group.waitForAll()
        }
        let planned = try await deliveries(setup).filter { $0.eventType != "shipment.created" }
        #expect(planned.filter { $0.channel == .email }.count == 1)
        #expect(planned.filter { $0.channel == .webhook && $0.eventType == "shipment.status_changed" }.count == 1)
        #expect(planned.filter { $0.eventType == "shipment.checkpoint_added" }.count == 1)
    }

    @Test("Returning to a status it already announced does not send that message again")
    func sameTriggerNeverTwice() async throws {
        let (setup, shipment) = try await setUp()
        for (seconds, status) in [(100.0, DeliveryStatus.inTransit), (200, .exception), (300, .inTransit)] {
            _ = try await setup.database.recordCheckpoints(
                tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(seconds, status, "scan \(seconds)")])
        }
        let emails = try await deliveries(setup).filter { $0.channel == .email }.map(\.triggerKey)
        #expect(emails.sorted() == ["status:exception", "status:in_transit"])
    }

    @Test("A change that rolls back leaves no delivery behind")
    func rollbackLeavesNothing() async throws {
        let (setup, shipment) = try await setUp()
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await setup.database.pool.write { db in
                _ = try setup.database.applyEvents(
                    db, to: shipment, events: [Fixture.event(100, .delivered)], eta: nil, now: storeReferenceDate, batch: CommitBatch())
                throw Abort()
            }
        }
        #expect(try await deliveries(setup).map(\.eventType) == ["shipment.created"])
        #expect(try await setup.database.shipment(tenantID: setup.tenant.id, id: shipment.id)?.shipment.status == .pending)
    }

    @Test("Unsubscribed and suppressed addresses are not planned; disabled endpoints get nothing")
    func optOutsAreNotPlanned() async throws {
        let (setup, shipment) = try await setUp(phone: "+447700900123")
        try await setup.database.suppress(tenantID: setup.tenant.id, channel: .sms, address: "+447700900123", reason: "STOP")
        let token = try #require(try await rawRead(setup.database) { db in
            try String.fetchOne(db, sql: "SELECT unsubscribe_token FROM subscription WHERE channel = 'email'")
        })
        _ = try await setup.database.unsubscribe(tenantID: setup.tenant.id, token: token, everything: false)
        try await setup.database.pool.write { db in
            try setup.database.disableEndpoint(db, id: setup.endpoint.id, reason: "test", now: storeReferenceDate)
        }
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .outForDelivery)])
        #expect(try await deliveries(setup).map(\.eventType) == ["shipment.created"])
    }

    @Test("A tenant that does not subscribe contacts sends shoppers nothing")
    func subscribeContactsOff() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "quiet").tenant
        try await database.updateNotificationSettings(tenantID: tenant.id, subscribeContacts: false)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(phone: "+447700900123"))
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .delivered)])
        #expect(try await database.deliveries(tenantID: tenant.id).isEmpty)
    }

    @Test("A tenant's rule overrides decide the channels")
    func ruleOverrides() async throws {
        let (setup, shipment) = try await setUp(phone: "+447700900123")
        try await setup.database.updateNotificationSettings(
            tenantID: setup.tenant.id, rules: .init(email_statuses: [.delivered], sms_statuses: []))
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .outForDelivery)])
        #expect(try await deliveries(setup).filter { $0.channel != .webhook }.isEmpty)
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(200, .delivered)])
        #expect(try await deliveries(setup).filter { $0.channel != .webhook }.map(\.channel) == [.email])
    }

    @Test("A shipment quiet for longer than the tenant allows is stalled once per quiet spell")
    func stalledOncePerSpell() async throws {
        let (setup, shipment) = try await setUp()
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(0, .inTransit)])
        let twoDays = storeReferenceDate.addingTimeInterval(2 * 86_400)
        #expect(try await setup.database.enqueueStalledNotifications(now: twoDays).written == 0)
        let fourDays = storeReferenceDate.addingTimeInterval(4 * 86_400)
        #expect(try await setup.database.enqueueStalledNotifications(now: fourDays).written == 2)
        #expect(try await setup.database.enqueueStalledNotifications(now: fourDays.addingTimeInterval(3600)).written == 0)
        let stalled = try await deliveries(setup).filter { $0.eventType == "shipment.stalled" }
        #expect(Set(stalled.map(\.channel)) == [.email, .webhook])
        #expect(stalled.allSatisfy { $0.triggerKey == "stalled:\(Int(storeReferenceDate.timeIntervalSince1970))" })
        // A new checkpoint, then a new quiet spell: a new stall.
        _ = try await setup.database.recordCheckpoints(
            tenantID: setup.tenant.id, shipmentID: shipment.id, events: [Fixture.event(5 * 86_400, .inTransit, "moving again")])
        #expect(try await setup.database.enqueueStalledNotifications(now: storeReferenceDate.addingTimeInterval(9 * 86_400)).written == 2)
    }

    @Test("Stalled shipments nobody listens to are decided once and do not hide the ones someone does")
    func stalledSweepMovesOn() async throws {
        // No endpoint and, but for the last shipment, no contact: stalls that tell nobody.
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "quiet-ones").tenant
        for index in 0..<3 {
            let silent = try await database.createShipment(
                tenantID: tenant.id, try Fixture.shipment("SILENT\(index)", carrier: "dhl", email: nil, postalCode: nil), now: storeReferenceDate)
            _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: silent.id, events: [Fixture.event(Double(index), .inTransit)])
        }
        let heard = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("HEARD1", carrier: "dhl"), now: storeReferenceDate)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: heard.id, events: [Fixture.event(60, .inTransit)])

        // Two at a time, oldest quiet spell first: the listened-to shipment is reached on the
        // second sweep, and after that there is nothing left to decide.
        let later = storeReferenceDate.addingTimeInterval(4 * 86_400)
        let sweeps = [
            try await database.enqueueStalledNotifications(now: later, limit: 2),
            try await database.enqueueStalledNotifications(now: later, limit: 2),
            try await database.enqueueStalledNotifications(now: later, limit: 2),
        ]
        #expect(sweeps.map(\.written) == [0, 1, 0])
        #expect(sweeps.map(\.decided) == [2, 2, 0])
        #expect(sweeps.map(\.mayHaveMore) == [true, true, false])
        let stalled = try await database.deliveries(tenantID: tenant.id, limit: 100).filter { $0.eventType == "shipment.stalled" }
        #expect(stalled.map(\.shipmentID) == [heard.id] && stalled.map(\.channel) == [.email])
        let undecided = try await rawRead(database) { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM shipment WHERE stalled_checked_for IS NOT last_event_at") ?? -1
        }
        #expect(undecided == 0)
    }

    @Test("The background sweeps read their partial indexes, not the whole shipment table")
    func sweepsUseTheirIndexes() async throws {
        let database = try AppDatabase.temporary()
        let plans = try await rawRead(database) { db in
            let now = storeReferenceDate
            let queries: [(String, StatementArguments)] = [
                (AppDatabase.stallCandidatesSQL, [now, now, 1_000]),
                (AppDatabase.silentShipmentsSQL, [now, 500]),
                (AppDatabase.archiveDeliveredSQL, [now, now, now]),
            ]
            return try queries.map { sql, arguments -> String in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        #expect(plans[0].contains("shipment_stall_candidates"), "\(plans[0])")
        #expect(plans[1].contains("shipment_pending_unarchived"), "\(plans[1])")
        #expect(plans[2].contains("shipment_delivered_unarchived"), "\(plans[2])")
    }
}

@Suite("Delivery queue: claiming, attempts, endpoints")
struct DeliveryQueueTests {
    func setUp() async throws -> (AppDatabase, Tenant, WebhookEndpoint) {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let endpoint = try await database.createWebhookEndpoint(
            tenantID: tenant.id, url: "https://hooks.example.com/in", eventTypes: ["shipment.created"],
            secret: "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0", now: storeReferenceDate)
        for index in 0..<3 {
            _ = try await database.createShipment(
                tenantID: tenant.id, try Fixture.shipment("TEST\(index)", carrier: "dhl", orderNumber: "A-\(index)"), now: storeReferenceDate)
        }
        return (database, tenant, endpoint)
    }

    @Test("Claims mark deliveries sending under a lease, skip busy endpoints, and come back to their node after a crash")
    func claimAndRecover() async throws {
        let (database, tenant, endpoint) = try await setUp()
        let now = storeReferenceDate.addingTimeInterval(1)
        #expect(try await database.claimDueDeliveries(owner: "a", now: now, limit: 10, busyEndpoints: [endpoint.id]).isEmpty)
        #expect(try await database.claimDueDeliveries(owner: "a", now: now, limit: 10, busyTenants: [tenant.id]).isEmpty)
        let claimed = try await database.claimDueDeliveries(owner: "a", now: now, limit: 2)
        #expect(claimed.count == 2)
        #expect(claimed.allSatisfy { $0.delivery.state == .sending && $0.endpoint?.id == endpoint.id && $0.tenant.id == tenant.id })
        #expect(try await database.claimDueDeliveries(owner: "b", now: now, limit: 10).count == 1, "b gets only what a left")
        // Node a dies and restarts: its own rows are due again at once, under the same ids; b's are b's.
        #expect(try await database.recoverInterruptedDeliveries(owner: "a", now: now) == 2)
        let again = try await database.claimDueDeliveries(owner: "a", now: now, limit: 10)
        #expect(Set(again.map(\.delivery.id)) == Set(claimed.map(\.delivery.id)))
    }

    @Test("A dead node's deliveries are taken over when its lease ends, not before")
    func leaseTakeover() async throws {
        let (database, _, _) = try await setUp()
        let now = storeReferenceDate.addingTimeInterval(1)
        let taken = try await database.claimDueDeliveries(owner: "dead", now: now, lease: 60, limit: 10)
        #expect(taken.count == 3)
        #expect(try await database.claimDueDeliveries(owner: "alive", now: now.addingTimeInterval(59), lease: 60, limit: 10).isEmpty)
        let takenOver = try await database.claimDueDeliveries(owner: "alive", now: now.addingTimeInterval(61), lease: 60, limit: 10)
        #expect(Set(takenOver.map(\.delivery.id)) == Set(taken.map(\.delivery.id)))
        #expect(try await database.recoverInterruptedDeliveries(owner: "dead", now: now.addingTimeInterval(62)) == 0, "no longer dead's to recover")
    }

    @Test("Attempts are logged; a retry waits; five days of failure disable the endpoint with the reason")
    func attemptsAndDisabling() async throws {
        let (database, tenant, endpoint) = try await setUp()
        let first = try #require(try await database.claimDueDeliveries(owner: "test", now: storeReferenceDate, limit: 1).first)
        let retryAt = storeReferenceDate.addingTimeInterval(5)
        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: first.delivery.id, attemptedAt: storeReferenceDate, outcome: .retry, httpStatus: 500,
                            latencyMilliseconds: 12, error: "500 Internal Server Error"),
            resolution: .retry(at: retryAt), endpoint: .failing)
        #expect(try await database.claimDueDeliveries(owner: "test", now: storeReferenceDate.addingTimeInterval(4), limit: 10).allSatisfy { $0.delivery.id != first.delivery.id })
        let stored = try #require(try await database.delivery(tenantID: tenant.id, id: first.delivery.id))
        #expect(stored.state == .pending && stored.attempts == 1 && stored.nextAttemptAt == retryAt && stored.lastError == "500 Internal Server Error")
        #expect(try await database.webhookEndpoint(tenantID: tenant.id, id: endpoint.id)?.failingSince == storeReferenceDate)

        let later = storeReferenceDate.addingTimeInterval(5 * 86_400 + 1)
        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: first.delivery.id, attemptedAt: later, outcome: .retry, httpStatus: 503, latencyMilliseconds: 3, error: "503"),
            resolution: .retry(at: later.addingTimeInterval(60)), endpoint: .failing)
        let disabled = try #require(try await database.webhookEndpoint(tenantID: tenant.id, id: endpoint.id))
        #expect(disabled.disabledAt == later)
        #expect(disabled.disabledReason?.contains("5 days") == true)
        let attempts = try await database.deliveryAttempts(tenantID: tenant.id, deliveryID: first.delivery.id)
        #expect(attempts.map(\.httpStatus) == [500, 503])
    }

    @Test("A success clears the failure record; 410 disables at once; replay keeps the id")
    func healthyGoneAndReplay() async throws {
        let (database, tenant, endpoint) = try await setUp()
        let claimed = try await database.claimDueDeliveries(owner: "test", now: storeReferenceDate, limit: 3)
        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: claimed[0].delivery.id, attemptedAt: storeReferenceDate, outcome: .retry, latencyMilliseconds: 1, error: "timeout"),
            resolution: .retry(at: storeReferenceDate), endpoint: .failing)
        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: claimed[1].delivery.id, attemptedAt: storeReferenceDate, outcome: .delivered, httpStatus: 204, latencyMilliseconds: 1),
            resolution: .delivered, endpoint: .healthy)
        #expect(try await database.webhookEndpoint(tenantID: tenant.id, id: endpoint.id)?.failingSince == nil)
        #expect(try await database.delivery(tenantID: tenant.id, id: claimed[1].delivery.id)?.deliveredAt == storeReferenceDate)

        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: claimed[2].delivery.id, attemptedAt: storeReferenceDate, outcome: .failed, httpStatus: 410, latencyMilliseconds: 1, error: "410 Gone"),
            resolution: .failed, endpoint: .disable(reason: "the endpoint answered 410 Gone"))
        #expect(try await database.webhookEndpoint(tenantID: tenant.id, id: endpoint.id)?.disabledReason == "the endpoint answered 410 Gone")

        let replayed = try #require(try await database.replayDelivery(tenantID: tenant.id, id: claimed[2].delivery.id, now: storeReferenceDate))
        #expect(replayed.id == claimed[2].delivery.id && replayed.state == .pending && replayed.attempts == 0)
        #expect(try await database.replayDelivery(tenantID: tenant.id + 1, id: claimed[2].delivery.id) == nil)
    }

    @Test("A permanent email refusal puts the address on the suppression list")
    func hardBounceSuppresses() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment())
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(1, .delivered)])
        let email = try #require(try await database.claimDueDeliveries(owner: "test", limit: 10).first { $0.delivery.channel == .email })
        #expect(email.unsubscribeToken != nil && !email.recipientOptedOut)
        try await database.recordAttempt(
            DeliveryAttempt(deliveryID: email.delivery.id, attemptedAt: Date(), outcome: .failed, reply: "550 5.1.1 no such user", latencyMilliseconds: 5),
            resolution: .failed, suppress: "550 5.1.1 no such user")
        #expect(try await database.isSuppressed(tenantID: tenant.id, channel: .email, address: "jane.doe@example.com"))
    }
}
