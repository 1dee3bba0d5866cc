import Foundation
import Testing
import WaymarkCore
import WaymarkStore

private typealias Stores = any TenantStore & ShipmentStore & RegistrationJobStore

private func draft(_ number: String) throws -> NewShipment {
    try NewShipment(
        trackingNumber: number, carrier: "ups", orderNumber: "A-\(number)",
        customer: Customer(name: "Jane Doe", email: "jane@example.com"), destination: Destination(city: "London", postalCode: "SW1A 1AA", country: "GB")
    ).validated()
}

/// A tenant registering at AfterShip and Shippo (Track123 set up but off).
private func registeringTenant(_ store: Stores, slug: String = "acme") async throws -> Tenant {
    let tenant = try await ContractFixture.tenant(store, slug: slug).tenant
    _ = try await store.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: "s", apiKey: "as-key", register: true, now: contractDate)
    _ = try await store.setProviderAccount(tenantID: tenant.id, provider: "shippo", secret: "s", apiKey: nil, register: true, now: contractDate)
    _ = try await store.setProviderAccount(tenantID: tenant.id, provider: "track123", secret: "s", apiKey: "t-key", register: false, now: contractDate)
    return tenant
}

/// Shipments created at `contractDate`, each queued at both providers.
@discardableResult
private func shipments(_ store: Stores, tenantID: Int64, count: Int) async throws -> [Shipment] {
    let drafts = try (0..<count).map { try draft("NUMBER\(String(format: "%04d", $0))") }
    return try await store.createShipments(tenantID: tenantID, drafts, now: contractDate).map { try $0.get() }
}

@Suite("RegistrationJobStore contract")
struct RegistrationJobContractTests {
    @Test("a claimed job carries what the provider needs; one claim holds it, oldest due first", arguments: Backend.allCases)
    func claiming(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await registeringTenant(store)
            let shipment = try #require(try await shipments(store, tenantID: tenant.id, count: 1).first)
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["pending": 2])
            #expect(try await store.claimRegistrationJobs(owner: "n", now: contractDate, limit: 0, lease: 60).isEmpty)
            let jobs = try await store.claimRegistrationJobs(owner: "n", now: contractDate, limit: 10, lease: 60)
            #expect(jobs.map(\.provider).sorted() == ["aftership", "shippo"])
            let aftership = try #require(jobs.first { $0.provider == "aftership" })
            #expect(aftership == RegistrationJob(
                id: aftership.id, tenantID: tenant.id, provider: "aftership", shipmentID: shipment.id, trackingNumber: "NUMBER0000",
                carrier: "ups", orderNumber: "A-NUMBER0000", customerEmail: "jane@example.com", postalCode: "SW1A 1AA", apiKey: "as-key",
                attempts: 0, leaseExpiresAt: contractDate.addingTimeInterval(60)))
            #expect(jobs.first { $0.provider == "shippo" }?.apiKey == nil)
            // Held: nobody else claims them during the lease, even with a later clock.
            #expect(try await store.claimRegistrationJobs(owner: "m", now: contractDate.addingTimeInterval(59), limit: 10, lease: 60).isEmpty)
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["pending": 2])
        }
    }

    @Test("eight claimers at once, each its own node, claim each of 200 jobs exactly once", arguments: Backend.allCases)
    func concurrentClaimsTakeEachOnce(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await registeringTenant(store)
            try await shipments(store, tenantID: tenant.id, count: 100)
            let claims = try await withThrowingTaskGroup(of: [RegistrationJob].self) { group in
                for node in 0..<8 {
                    group.addTask {
                        var mine: [RegistrationJob] = []
                        while true {
                            let batch = try await store.claimRegistrationJobs(owner: "node-\(node)", now: contractDate, limit: 7, lease: 300)
                            if batch.isEmpty { return mine }
                            mine += batch
                        }
                    }
                }
                var all: [RegistrationJob] = []
                for try await claimed in group { all += claimed }
                return all
            }
            #expect(claims.count == 200)
            #expect(Set(claims.map(\.id)).count == 200)
            #expect(try await store.claimRegistrationJobs(owner: "late", now: contractDate, limit: 10, lease: 300).isEmpty)
            // Every claim's result is recorded: no job was handed to a second node.
            let states = try await store.recordRegistrationResults(
                claims.map { (job: $0, result: .registered) }, now: contractDate.addingTimeInterval(1), policy: .registration, random: { 0 })
            #expect(states.count == 200 && states.allSatisfy { $0 == .done })
            #expect(try await store.registrationJobCounts(tenantID: nil) == ["done": 200])
        }
    }

    @Test("a lease that ran out is claimed by another node, and the first node's result is then refused", arguments: Backend.allCases)
    func expiredLeases(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await registeringTenant(store)
            try await shipments(store, tenantID: tenant.id, count: 2)
            let mine = try await store.claimRegistrationJobs(owner: "node-a", now: contractDate, limit: 3, lease: 60)
            let theirs = try await store.claimRegistrationJobs(owner: "node-b", now: contractDate, limit: 10, lease: 600)
            #expect(mine.count == 3 && theirs.count == 1)
            let expired = contractDate.addingTimeInterval(60)
            let takenOver = try await store.claimRegistrationJobs(owner: "node-c", now: expired, limit: 10, lease: 60)
            #expect(Set(takenOver.map(\.id)) == Set(mine.map(\.id)))
            #expect(takenOver.allSatisfy { $0.leaseExpiresAt == expired.addingTimeInterval(60) })
            // node-a wakes up and reports: too late, node-c holds the jobs now.
            let late = try await store.recordRegistrationResults(
                mine.map { (job: $0, result: .registered) }, now: expired, policy: .registration, random: { 0 })
            #expect(late == [.leaseLost, .leaseLost, .leaseLost])
            #expect(try await store.markRegistered(try #require(takenOver.first), now: expired) == .done)
            // A restart of node-a recovers nothing of node-c's; node-b's restart makes its own due at once.
            #expect(try await store.recoverInterruptedRegistrations(owner: "node-a", now: expired) == 0)
            #expect(try await store.recoverInterruptedRegistrations(owner: "node-b", now: expired) == 1)
            let recovered = try await store.claimRegistrationJobs(owner: "node-b", now: expired, limit: 10, lease: 60)
            #expect(recovered.map(\.id) == theirs.map(\.id))
            // The old claim of node-b no longer holds the job.
            #expect(try await store.markRegistered(try #require(theirs.first), now: expired) == .leaseLost)
            #expect(try await store.markRegistered(try #require(recovered.first), now: expired) == .done)
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["done": 2, "pending": 2])
        }
    }

    @Test("a claim made at any instant, milliseconds and below, is its own token", arguments: Backend.allCases)
    func subMillisecondLeases(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await registeringTenant(store)
            try await shipments(store, tenantID: tenant.id, count: 1)
            let now = contractDate.addingTimeInterval(0.123_456_7)
            let jobs = try await store.claimRegistrationJobs(owner: "n", now: now, limit: 10, lease: 299.999_9)
            #expect(jobs.count == 2)
            for job in jobs { #expect(try await store.markRegistered(job, now: now) == .done) }
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["done": 2])
        }
    }

    @Test("results: registered, retried after the policy's wait, failed for good; the shipment and provider show the error", arguments: Backend.allCases)
    func recordingResults(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await registeringTenant(store)
            let other = try await registeringTenant(store, slug: "other")
            try await shipments(store, tenantID: other.id, count: 1)
            let shipment = try #require(try await shipments(store, tenantID: tenant.id, count: 1).first)
            let jobs = try await store.claimRegistrationJobs(owner: "n", now: contractDate, limit: 10, lease: 60).filter { $0.tenantID == tenant.id }
            let aftership = try #require(jobs.first { $0.provider == "aftership" })
            let shippo = try #require(jobs.first { $0.provider == "shippo" })
            let now = contractDate.addingTimeInterval(5)

            let busy = RegistrationFailure("aftership: 429 Too Many Requests", permanent: false)
            let refused = RegistrationFailure("shippo: 401 Unauthorized (invalid API key)", permanent: true)
            let states = try await store.recordRegistrationResults(
                [(job: aftership, result: .failed(busy))], now: now, policy: .registration, random: { 0 })
            #expect(states == [.retrying(at: now.addingTimeInterval(60))])
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == busy.message)
            let refusedAt = now.addingTimeInterval(1)
            #expect(try await store.markRegistrationFailed(shippo, refused, now: refusedAt, policy: .registration, random: { 0 }) == .failed)
            // The newest error of a job not done shows on the shipment.
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == refused.message)
            let activity = try await store.providerActivity(tenantID: tenant.id)
            #expect(activity.first { $0.provider == "aftership" }?.lastRegistrationError == .init(at: now, reason: busy.message))
            #expect(activity.first { $0.provider == "shippo" }?.lastRegistrationError == .init(at: refusedAt, reason: refused.message))
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["pending": 1, "failed": 1])
            #expect(try await store.registrationJobCounts(tenantID: nil) == ["pending": 3, "failed": 1])

            // Retried at its time with one attempt behind it, then registered: Shippo's error stays.
            let retryAt = now.addingTimeInterval(60)
            #expect(try await store.claimRegistrationJobs(owner: "n", now: retryAt.addingTimeInterval(-1), limit: 10, lease: 60)
                .filter { $0.tenantID == tenant.id }.isEmpty)
            let retried = try #require(try await store.claimRegistrationJobs(owner: "n", now: retryAt, limit: 10, lease: 60)
                .first { $0.tenantID == tenant.id })
            #expect(retried.id == aftership.id && retried.attempts == 1)
            #expect(try await store.markRegistered(retried, now: retryAt) == .done)
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == refused.message)

            // The merchant fixes Shippo's key: its failed job is due again with a fresh schedule.
            #expect(try await store.retryFailedRegistrations(tenantID: other.id, provider: "shippo", now: retryAt) == 0)
            #expect(try await store.retryFailedRegistrations(tenantID: tenant.id, provider: "aftership", now: retryAt) == 0)
            #expect(try await store.retryFailedRegistrations(tenantID: tenant.id, provider: "shippo", now: retryAt) == 1)
            let again = try #require(try await store.claimRegistrationJobs(owner: "n", now: retryAt, limit: 10, lease: 60)
                .first { $0.tenantID == tenant.id })
            #expect(again.id == shippo.id && again.attempts == 0)
            #expect(try await store.markRegistered(again, now: retryAt) == .done)
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError == nil)
            #expect(try await store.registrationJobCounts(tenantID: tenant.id) == ["done": 2])

            // The last attempt failing gives up.
            let later = retryAt.addingTimeInterval(60)
            let last = try #require(try await store.claimRegistrationJobs(owner: "n", now: later, limit: 1, lease: 60).first)
            #expect(last.tenantID == other.id)
            let short = RetryPolicy(delays: [60])
            #expect(try await store.markRegistrationFailed(last, busy, now: later, policy: short, random: { 0 }) == .retrying(at: later.addingTimeInterval(60)))
            let final = try #require(try await store.claimRegistrationJobs(owner: "n", now: later.addingTimeInterval(60), limit: 10, lease: 60)
                .first { $0.id == last.id })
            #expect(final.attempts == 1)
            #expect(try await store.markRegistrationFailed(final, busy, now: later.addingTimeInterval(60), policy: short, random: { 0 }) == .failed)
        }
    }
}
