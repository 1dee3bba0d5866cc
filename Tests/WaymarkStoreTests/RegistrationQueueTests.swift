import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("Registration queue")
struct RegistrationQueueTests {
    let now = storeReferenceDate

    /// A tenant registering at AfterShip and Shippo, with Track123 set up but off and the generic
    /// feed "on" (which registers nowhere).
    func tenantRegisteringAtTwoProviders(_ database: AppDatabase, slug: String = "shop") async throws -> Tenant {
        let tenant = try await Fixture.tenant(database, slug: slug).tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: "s", apiKey: "as-key", register: true)
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "shippo", secret: "s", apiKey: "shippo-key", register: true)
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "track123", secret: "s", apiKey: "t-key", register: false)
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "waymark", secret: "whsec_x", apiKey: nil, register: true)
        return tenant
    }

    func jobs(_ database: AppDatabase) async throws -> [(shipmentID: String, provider: String, state: String)] {
        try await rawRead(database) { db in
            try Row.fetchAll(db, sql: "SELECT shipment_id, provider, state FROM registration_job ORDER BY shipment_id, provider")
                .map { (shipmentID: $0["shipment_id"] as String, provider: $0["provider"] as String, state: $0["state"] as String) }
        }
    }

    // MARK: Enqueueing

    @Test("A new shipment is queued once per provider with registration on, and nowhere else")
    func enqueuesPerRegisteringProvider() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await tenantRegisteringAtTwoProviders(database)
        let other = try await Fixture.tenant(database, slug: "other").tenant
        _ = try await database.setProviderAccount(tenantID: other.id, provider: "easypost", secret: nil, apiKey: "ep", register: true)

        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)

        let queued = try await jobs(database)
        #expect(queued.map(\.provider) == ["aftership", "shippo"])
        #expect(queued.allSatisfy { $0.shipmentID == shipment.id && $0.state == "pending" })
        let claimed = try await database.claimRegistrationJobs(now: now)
        #expect(claimed.count == 2)
    }

    @Test("Every insert path queues: batch create, and a webhook's auto-create (but not back at that provider)")
    func everyInsertPathQueues() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await tenantRegisteringAtTwoProviders(database)

        let batch = try await database.createShipments(tenantID: tenant.id, [try Fixture.shipment("BATCH1"), try Fixture.shipment("BATCH2")], now: now)
        let update = TrackingUpdate(trackingNumber: "FROMHOOK1", carrier: "ups", events: [Fixture.event(0, .inTransit)])
        let outcome = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "e1", body: [], updates: [update], now: now)

        let created = try #require(outcome.results.first?.shipmentID)
        let queued = try await jobs(database)
        #expect(queued.filter { $0.shipmentID == created }.map(\.provider) == ["shippo"])
        for case .success(let shipment) in batch {
            #expect(queued.filter { $0.shipmentID == shipment.id }.map(\.provider) == ["aftership", "shippo"])
        }
        #expect(queued.count == 5)
    }

    @Test("A failed insert queues nothing: a duplicate, a failed batch item, a webhook whose transaction fails")
    func failedInsertQueuesNothing() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await tenantRegisteringAtTwoProviders(database)
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("DUP1"), now: now)
        #expect(try await rowCount(database, "registration_job") == 2)

        await #expect(throws: StoreError.duplicateShipment(carrier: "ups", trackingNumber: "DUP1")) {
            _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("DUP1"), now: now)
        }
        let batch = try await database.createShipments(tenantID: tenant.id, [try Fixture.shipment("DUP1"), try Fixture.shipment("NEW1")], now: now)
        #expect(batch.filter { if case .success = $0 { true } else { false } }.count == 1)
        #expect(try await rowCount(database, "registration_job") == 4)

        // A number no shipment could have is skipped with its reason; the rest of the webhook lands.
        let withBadNumber = try await database.ingest(tenantID: tenant.id, provider: "track123", eventID: "e1", body: [], updates: [
            TrackingUpdate(trackingNumber: "HOOKNEW0", carrier: "ups", events: [Fixture.event(0, .inTransit)]),
            TrackingUpdate(trackingNumber: "BAD<NUMBER>", carrier: "ups", events: [Fixture.event(0, .inTransit)]),
        ], now: now)
        #expect(withBadNumber.results.map(\.created) == [true, false])
        #expect(withBadNumber.results[1].skipped?.contains("tracking_number") == true, "\(withBadNumber.results[1])")
        #expect(try await rowCount(database, "registration_job") == 6)

        // The second update's checkpoint is refused by the database, so the whole webhook rolls
        // back, the first auto-created shipment and its jobs with it.
        try await database.write { db in
            try db.execute(sql: """
                CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON checkpoint WHEN NEW.message = 'boom'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        let updates = [
            TrackingUpdate(trackingNumber: "HOOKNEW1", carrier: "ups", events: [Fixture.event(0, .inTransit)]),
            TrackingUpdate(trackingNumber: "HOOKNEW2", carrier: "ups", events: [Fixture.event(0, .inTransit, "boom")]),
        ]
        await #expect(throws: (any Error).self) {
            _ = try await database.ingest(tenantID: tenant.id, provider: "track123", eventID: "e2", body: [], updates: updates, now: now)
        }
        #expect(try await database.lookupShipment(tenantID: tenant.id, trackingNumber: "HOOKNEW1") == nil)
        #expect(try await rowCount(database, "registration_job") == 6)
    }

    // MARK: Claiming

    @Test("A claim carries what a client needs and holds the job for the lease")
    func claimCarriesJobData() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "track123", secret: nil, apiKey: "t-key", register: true)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1Z999", orderNumber: "A-7", postalCode: "SW1A 1AA"), now: now)

        #expect(try await database.claimRegistrationJobs(now: now.addingTimeInterval(-1)).isEmpty)
        let job = try #require(try await database.claimRegistrationJobs(now: now, lease: 300).first)

        #expect(job.tenantID == tenant.id && job.provider == "track123" && job.shipmentID == shipment.id)
        #expect(job.trackingNumber == "1Z999" && job.carrier == "ups" && job.orderNumber == "A-7")
        #expect(job.customerEmail == shipment.customer.email && job.postalCode == "SW1A 1AA" && job.apiKey == "t-key")
        #expect(job.attempts == 0 && job.leaseExpiresAt == now.addingTimeInterval(300))
        #expect(try await database.claimRegistrationJobs(now: now.addingTimeInterval(299)).isEmpty)
        // A worker that died: the job is due again once the lease is over.
        #expect(try await database.claimRegistrationJobs(now: now.addingTimeInterval(300)).map(\.id) == [job.id])
    }

    @Test("A claim names its node: a restarted node takes its own jobs back at once, another node waits out the lease")
    func restartedNodeTakesBackItsOwnJobs() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "track123", secret: nil, apiKey: "t-key", register: true)
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "shippo", secret: nil, apiKey: "s-key", register: true)
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1Z999"), now: now)
        let nodeA = try await database.claimRegistrationJobs(owner: "node-a", now: now, limit: 1, lease: 300)
        let nodeB = try await database.claimRegistrationJobs(owner: "node-b", now: now, limit: 1, lease: 300)
        #expect(nodeA.count == 1 && nodeB.count == 1 && nodeA[0].id != nodeB[0].id)

        // Node A starts again a minute later: only its own job is due at once, and only once.
        let restart = now.addingTimeInterval(60)
        #expect(try await database.recoverInterruptedRegistrations(owner: "node-a", now: restart) == 1)
        #expect(try await database.recoverInterruptedRegistrations(owner: "node-a", now: restart) == 0)
        let again = try await database.claimRegistrationJobs(owner: "node-a", now: restart, limit: 10, lease: 300)
        #expect(again.map(\.id) == [nodeA[0].id])

        // A job with a recorded result belongs to nobody: a restart does not send it again.
        #expect(try await database.markRegistered(again[0], now: restart) == .done)
        #expect(try await database.recoverInterruptedRegistrations(owner: "node-a", now: restart) == 0)
        // Node B's job stays with node B until its lease ends.
        #expect(try await database.claimRegistrationJobs(owner: "node-c", now: now.addingTimeInterval(299), limit: 10, lease: 300).isEmpty)
        #expect(try await database.claimRegistrationJobs(owner: "node-c", now: now.addingTimeInterval(300), limit: 10, lease: 300).map(\.id)
            == [nodeB[0].id])
    }

    @Test("Concurrent claimers, in one process and over two connections, never get the same job")
    func concurrentClaimersNeverShareAJob() async throws {
        let database = try AppDatabase.temporary()
        let second = try AppDatabase(path: database.path)
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "17track", secret: nil, apiKey: "k", register: true)
        _ = try await database.createShipments(tenantID: tenant.id, try (0..<200).map { try Fixture.shipment("RACE\($0)") }, now: now)

        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<12 {
                let claimer = worker.isMultiple(of: 2) ? database : second
                group.addTask { try await claimer.claimRegistrationJobs(now: now, limit: 25).map(\.id) }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }

        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)
    }

    // MARK: Results

    @Test("Success: the job is done and the shipment shows no error")
    func successClearsTheError() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: nil, apiKey: "k", register: true)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let first = try #require(try await database.claimRegistrationJobs(now: now).first)
        let failure = RegistrationFailure("aftership: 503 Service Unavailable", permanent: false)
        _ = try await database.markRegistrationFailed(first, failure, now: now, random: { 0 })
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == failure.message)
        // The providers page shows the provider's last refusal, whatever became of the job since.
        let activity = try #require(try await database.providerActivity(tenantID: tenant.id).first)
        #expect(activity.provider == "aftership" && activity.lastRegistrationError == .init(at: now, reason: failure.message))

        let again = try #require(try await database.claimRegistrationJobs(now: now.addingTimeInterval(60)).first)
        #expect(again.attempts == 1)
        #expect(try await database.markRegistered(again, now: now.addingTimeInterval(61)) == .done)

        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id)).shipment
        #expect(stored.registrationError == nil)
        #expect(try await database.registrationJobCounts() == ["done": 1])
    }

    @Test("Retryable failures back off 1 min, 5 min, 30 min, 2 h, 6 h, 24 h, then the job fails")
    func backoffSchedule() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: nil, apiKey: "k", register: true)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let failure = RegistrationFailure("aftership: 502 Bad Gateway", permanent: false)

        var clock = now
        var waits: [TimeInterval] = []
        var last: RegistrationJobState = .done
        for _ in 0..<7 {
            let job = try #require(try await database.claimRegistrationJobs(now: clock).first)
            last = try await database.markRegistrationFailed(job, failure, now: clock, random: { 0 })
            guard case .retrying(let next) = last else { break }
            #expect(try await database.claimRegistrationJobs(now: next.addingTimeInterval(-1)).isEmpty)
            waits.append(next.timeIntervalSince(clock))
            clock = next
        }

        #expect(waits == [60, 300, 1_800, 7_200, 21_600, 86_400])
        #expect(last == .failed)
        #expect(try await database.claimRegistrationJobs(now: clock.addingTimeInterval(86_400 * 30)).isEmpty)
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == failure.message)
    }

    @Test("A permanent failure fails the job at once and the shipment says why; a new key can queue it again")
    func permanentFailureFailsAtOnce() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: nil, apiKey: "bad", register: true)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let job = try #require(try await database.claimRegistrationJobs(now: now).first)

        let state = try await database.markRegistrationFailed(
            job, RegistrationFailure("aftership: 401 Unauthorized (invalid API key)", permanent: true), now: now)

        #expect(state == .failed)
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError
            == "aftership: 401 Unauthorized (invalid API key)")
        #expect(try await database.claimRegistrationJobs(now: now.addingTimeInterval(86_400 * 30)).isEmpty)

        #expect(try await database.retryFailedRegistrations(tenantID: tenant.id, provider: "aftership", now: now) == 1)
        let retried = try #require(try await database.claimRegistrationJobs(now: now).first)
        #expect(retried.id == job.id && retried.attempts == 0)
    }

    @Test("One provider's success does not hide another's failure on the same shipment")
    func errorsPerProvider() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await tenantRegisteringAtTwoProviders(database)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let claimed = try await database.claimRegistrationJobs(now: now)
        let aftership = try #require(claimed.first { $0.provider == "aftership" })
        let shippo = try #require(claimed.first { $0.provider == "shippo" })

        _ = try await database.recordRegistrationResults([
            (aftership, .failed(RegistrationFailure("aftership: 422 Unprocessable Entity (invalid tracking number)", permanent: true))),
            (shippo, .registered),
        ], now: now)

        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError
            == "aftership: 422 Unprocessable Entity (invalid tracking number)")
    }

    @Test("A worker whose lease ran out cannot overwrite the result of the worker that claimed the job next")
    func lostLeaseRecordsNothing() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: nil, apiKey: "k", register: true)
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let slow = try #require(try await database.claimRegistrationJobs(now: now, lease: 300).first)
        let next = try #require(try await database.claimRegistrationJobs(now: now.addingTimeInterval(301), lease: 300).first)

        #expect(try await database.markRegistered(next, now: now.addingTimeInterval(302)) == .done)
        let late = try await database.markRegistrationFailed(
            slow, RegistrationFailure("aftership: no answer from the provider (timed out)", permanent: false), now: now.addingTimeInterval(303))

        #expect(late == .leaseLost)
        #expect(try await database.registrationJobCounts() == ["done": 1])
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == nil)
    }

    @Test("A provider's Retry-After holds the job back that long, but never more than a day")
    func retryAfterFloor() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: nil, apiKey: "k", register: true)
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: now)
        let first = try #require(try await database.claimRegistrationJobs(now: now).first)

        let slowDown = RegistrationFailure("aftership: 429 Too Many Requests", permanent: false, retryAfter: 900)
        let held = try await database.markRegistrationFailed(first, slowDown, now: now, random: { 0 })
        let second = try #require(try await database.claimRegistrationJobs(now: now.addingTimeInterval(900)).first)
        let goAway = RegistrationFailure("aftership: 429 Too Many Requests", permanent: false, retryAfter: 30 * 86_400)
        let capped = try await database.markRegistrationFailed(second, goAway, now: now.addingTimeInterval(900), random: { 0 })

        #expect(held == .retrying(at: now.addingTimeInterval(900)))
        #expect(capped == .retrying(at: now.addingTimeInterval(900 + 86_400)))
    }
}
