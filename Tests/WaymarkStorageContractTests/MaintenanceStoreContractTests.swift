import Foundation
import Testing
import WaymarkCore
import WaymarkStore

/// The hourly sweeps and the health check (`MaintenanceStore`).
@Suite("MaintenanceStore contract")
struct MaintenanceStoreContractTests {
    typealias Store = any TenantStore & ShipmentStore & IngestStore & AccountStore & AuditStore & MaintenanceStore

    static let day: TimeInterval = 86_400
    static let now = contractDate

    static func shipment(_ store: Store, tenantID: Int64, _ number: String, createdAt: Date) async throws -> Shipment {
        try await store.createShipment(tenantID: tenantID, NewShipment(trackingNumber: number, carrier: "ups"), now: createdAt)
    }

    static func event(_ status: DeliveryStatus, at date: Date) -> CheckpointEvent {
        CheckpointEvent(occurredAt: date, status: status, message: "\(status.rawValue) at the depot", source: "aftership")
    }

    /// An idempotency key made at `createdAt`, through `IdempotencyStore` where the store has it,
    /// else (PostgreSQL, until its `IdempotencyStore` lands) as a plain row.
    static func idempotencyKey(_ store: Store, tenantID: Int64, key: String, createdAt: Date) async throws {
        if let keys = store as? any IdempotencyStore {
            try await keys.storeResponse(tenantID: tenantID, key: key, StoredResponse(requestSHA256: "r", status: 201, body: [1]), now: createdAt)
        } else if let postgres = store as? PostgresStore {
            let at = ISO8601DateFormatter().string(from: createdAt)
            try await postgres.execute(unsafeSQL: """
                INSERT INTO idempotency_key (tenant_id, key, request_sha256, response_status, response_body, created_at)
                VALUES (\(tenantID), '\(key)', 'r', 201, '\\x01'::bytea, '\(at)')
                """)
        } else {
            throw ContractError("\(type(of: store)) has no idempotency keys to sweep")
        }
    }

    @Test("pending shipments silent for 30 days expire through an expired checkpoint, a batch per pass", arguments: Backend.allCases)
    func expireSilent(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant.id
            var silent: [Shipment] = []
            for number in ["1Z000001", "1Z000002", "1Z000003"] {
                silent.append(try await Self.shipment(store, tenantID: acme, number, createdAt: Self.now.addingTimeInterval(-30 * Self.day)))
            }
            let young = try await Self.shipment(store, tenantID: acme, "1Z000004", createdAt: Self.now.addingTimeInterval(-30 * Self.day + 1))
            let moving = try await Self.shipment(store, tenantID: acme, "1Z000005", createdAt: Self.now.addingTimeInterval(-40 * Self.day))
            _ = try await store.recordCheckpoints(
                tenantID: acme, shipmentID: moving.id, events: [Self.event(.inTransit, at: Self.now.addingTimeInterval(-39 * Self.day))],
                now: Self.now.addingTimeInterval(-39 * Self.day))

            #expect(try await store.runMaintenance(now: Self.now, batch: 2).expired == 2)
            #expect(try await store.runMaintenance(now: Self.now, batch: 2).expired == 1)
            #expect(try await store.runMaintenance(now: Self.now, batch: 2).expired == 0)
            for shipment in silent {
                let tracked = try #require(try await store.shipment(tenantID: acme, id: shipment.id))
                #expect(tracked.shipment.status == .expired)
                #expect(tracked.checkpoints.map(\.event.message) == ["No tracking information from the carrier for 30 days"])
                #expect(tracked.checkpoints.first?.event.source == "waymark" && tracked.checkpoints.first?.event.occurredAt == Self.now)
            }
            #expect(try await store.shipment(tenantID: acme, id: young.id)?.shipment.status == .pending)
            #expect(try await store.shipment(tenantID: acme, id: moving.id)?.shipment.status == .inTransit)
        }
    }

    @Test("delivered shipments are archived after their tenant's retention, all in one pass whatever the batch", arguments: Backend.allCases)
    func archiveDelivered(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant.id
            let brief = try await ContractFixture.tenant(store, slug: "brief").tenant.id
            try await store.setIngestSettings(tenantID: brief, autoCreateShipments: nil, deliveredRetentionDays: 10)
            let created = Self.now.addingTimeInterval(-100 * Self.day)
            var due: [(Int64, String)] = []
            var kept: [(Int64, String)] = []
            for (index, (tenant, daysAgo)) in [(acme, 90.0), (acme, 95), (acme, 89.9), (brief, 10), (brief, 11), (brief, 9.9)].enumerated() {
                let shipment = try await Self.shipment(store, tenantID: tenant, "1Z10000\(index)", createdAt: created)
                let delivered = Self.now.addingTimeInterval(-daysAgo * Self.day)
                _ = try await store.recordCheckpoints(
                    tenantID: tenant, shipmentID: shipment.id, events: [Self.event(.delivered, at: delivered)], now: delivered)
                if daysAgo >= (tenant == acme ? 90 : 10) { due.append((tenant, shipment.id)) } else { kept.append((tenant, shipment.id)) }
            }
            let report = try await store.runMaintenance(now: Self.now, batch: 1)
            #expect(report.archived == 4 && report.expired == 0)
            for (tenant, id) in due { #expect(try await store.isArchived(tenantID: tenant, id: id)) }
            for (tenant, id) in kept { #expect(try await store.isArchived(tenantID: tenant, id: id) == false) }
            #expect(try await store.runMaintenance(now: Self.now, batch: 1).archived == 0)
            #expect(try await store.runMaintenance(now: Self.now.addingTimeInterval(Self.day), batch: 1).archived == 2)
        }
    }

    @Test("old payloads, idempotency keys, audit entries and spent account links go; recent ones stay", arguments: Backend.allCases)
    func purges(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let created = try await ContractFixture.tenant(store, slug: "acme")
            let acme = created.tenant.id
            let owner = try #require(try await store.verifyLogin(email: "owner@acme.example", password: ContractFixture.password))
            // Payloads: 30 days.
            for (index, age) in [31.0, 30.5, 29.9].enumerated() {
                _ = try await store.ingest(
                    tenantID: acme, provider: "aftership", eventID: "e\(index)", body: Array("body \(index)".utf8), updates: [],
                    now: Self.now.addingTimeInterval(-age * Self.day))
            }
            // Idempotency keys: a day.
            for (index, age) in [2.0, 1.01, 0.99].enumerated() {
                try await Self.idempotencyKey(store, tenantID: acme, key: "k\(index)", createdAt: Self.now.addingTimeInterval(-age * Self.day))
            }
            // Audit entries: a year.
            for age in [366.0, 365.1, 364.0] {
                try await store.recordAudit(
                    AuditEvent(tenantID: acme, actor: "owner@acme.example", action: "aged \(age)"), now: Self.now.addingTimeInterval(-age * Self.day))
            }
            // Sessions by their last request, reset links and invitations by their expiry: 30 days after.
            let csrf = String(repeating: "c", count: 24)
            for (digest, age) in [("old", 31.0), ("new", 29.0)] {
                let at = Self.now.addingTimeInterval(-age * Self.day)
                _ = try #require(try await store.createSession(
                    userID: owner, tenantID: acme, secretDigest: "session-\(digest)", csrfToken: csrf, address: nil, userAgent: nil, now: at))
                #expect(try await store.createPasswordReset(email: "owner@acme.example", secretDigest: "reset-\(digest)", now: at) == owner)
                _ = try await store.createInvitation(
                    tenantID: acme, email: "\(digest)@example.com", role: .agent, invitedBy: owner, secretDigest: "invite-\(digest)",
                    now: at.addingTimeInterval(-Invitation.lifetime))
            }

            let report = try await store.runMaintenance(now: Self.now, batch: 1)
            #expect(report.purgedPayloads == 2)
            #expect(report.purgedIdempotencyKeys == 2)
            #expect(report.expired == 0 && report.archived == 0)
            let events = try await store.inboundEvents(tenantID: acme, since: .distantPast, provider: nil, id: nil)
            #expect(events.map(\.receivedAt) == [Self.now.addingTimeInterval(-29.9 * Self.day)])
            #expect(try await store.auditEntries(tenantID: acme, before: nil, limit: 10).map(\.action) == ["aged 364.0"])
            if let keys = store as? any IdempotencyStore {
                #expect(try await keys.storedResponse(tenantID: acme, key: "k0") == nil)
                #expect(try await keys.storedResponse(tenantID: acme, key: "k2") != nil)
            }
            // A spent secret that is gone can be stored again; one still kept cannot.
            let at = Self.now
            #expect(try await store.createSession(
                userID: owner, tenantID: acme, secretDigest: "session-old", csrfToken: csrf, address: nil, userAgent: nil, now: at) != nil)
            #expect(try await store.createPasswordReset(email: "owner@acme.example", secretDigest: "reset-old", now: at) == owner)
            _ = try await store.createInvitation(
                tenantID: acme, email: "old@example.com", role: .agent, invitedBy: owner, secretDigest: "invite-old", now: at)
            await #expect(throws: (any Error).self) {
                _ = try await store.createSession(
                    userID: owner, tenantID: acme, secretDigest: "session-new", csrfToken: csrf, address: nil, userAgent: nil, now: at)
            }
            await #expect(throws: (any Error).self) {
                _ = try await store.createPasswordReset(email: "owner@acme.example", secretDigest: "reset-new", now: at)
            }
            await #expect(throws: (any Error).self) {
                _ = try await store.createInvitation(
                    tenantID: acme, email: "new@example.com", role: .agent, invitedBy: owner, secretDigest: "invite-new", now: at)
            }
            // What stays is swept once it ages.
            let later = try await store.runMaintenance(now: Self.now.addingTimeInterval(Self.day), batch: 1)
            #expect(later.purgedPayloads == 1 && later.purgedIdempotencyKeys == 1)
        }
    }

    @Test("two passes at once expire and archive each shipment once", arguments: Backend.allCases)
    func concurrentPasses(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant.id
            var silent: [String] = []
            for index in 0..<6 {
                silent.append(try await Self.shipment(store, tenantID: acme, "1Z20000\(index)", createdAt: Self.now.addingTimeInterval(-31 * Self.day)).id)
                let delivered = try await Self.shipment(store, tenantID: acme, "1Z30000\(index)", createdAt: Self.now.addingTimeInterval(-100 * Self.day))
                let at = Self.now.addingTimeInterval(-91 * Self.day)
                _ = try await store.recordCheckpoints(tenantID: acme, shipmentID: delivered.id, events: [Self.event(.delivered, at: at)], now: at)
            }
            let reports = try await withThrowingTaskGroup(of: MaintenanceReport.self) { group in
                for _ in 0..<3 { group.addTask { try await store.runMaintenance(now: Self.now, batch: 2) } }
                return try await group.reduce(into: [MaintenanceReport]()) { $0.append($1) }
            }
            // Expiry takes at most a batch per pass: passes after them expire what is left.
            var expired = reports.map(\.expired).reduce(0, +)
            for _ in 0..<6 where expired < 6 {
                expired += try await store.runMaintenance(now: Self.now, batch: 2).expired
            }
            #expect(expired == 6)
            #expect(reports.map(\.archived).reduce(0, +) == 6)
            for id in silent {
                let checkpoints = try #require(try await store.shipment(tenantID: acme, id: id)).checkpoints
                #expect(checkpoints.count == 1 && checkpoints.first?.event.status == .expired)
            }
        }
    }

    @Test("a store that can serve passes the storage check", arguments: Backend.allCases)
    func checkStorage(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            try await store.checkStorage()
            try await store.checkStorage()
        }
    }

    // MARK: PostgreSQL's failures

    /// A PostgreSQL store on a database of its own, dropped afterwards; `prepare` runs on that
    /// database through an admin store before the store under test opens.
    static func withPostgres(migrated: Bool, prepare: String? = nil, _ body: (PostgresStore) async throws -> Void) async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            if migrated || prepare != nil {
                let setup = PostgresStore(url: url, connections: 1)
                do {
                    if migrated { try await setup.migrate() }
                    if let prepare { try await setup.execute(unsafeSQL: prepare.replacingOccurrences(of: "$DATABASE", with: url.database)) }
                    await setup.close()
                } catch {
                    await setup.close()
                    throw error
                }
            }
            let store = PostgresStore(url: url, connections: 2)
            do {
                try await body(store)
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }

    static func expectUnavailable(_ store: PostgresStore, mentioning words: String) async {
        do {
            try await store.checkStorage()
            Issue.record("the storage check passed")
        } catch let error as StoreError {
            guard case .storageUnavailable(let reason) = error else {
                Issue.record("expected storageUnavailable, got \(error)")
                return
            }
            #expect(reason.contains(words), "\(reason)")
        } catch {
            Issue.record("expected StoreError.storageUnavailable, got \(error)")
        }
    }

    @Test("PostgreSQL: a database without Waymark's tables fails the storage check as unavailable")
    func unmigrated() async throws {
        try await Self.withPostgres(migrated: false) { store in await Self.expectUnavailable(store, mentioning: "tenant") }
    }

    @Test("PostgreSQL: a read-only database fails the storage check as unavailable")
    func readOnly() async throws {
        try await Self.withPostgres(migrated: true, prepare: "ALTER DATABASE $DATABASE SET default_transaction_read_only = on") { store in
            await Self.expectUnavailable(store, mentioning: "read-only")
        }
    }

    @Test("PostgreSQL: a database that is not there fails the storage check as unavailable")
    func missingDatabase() async throws {
        let store = PostgresStore(url: try Backend.postgresServer().database("waymark_test_not_there"), connections: 1)
        await Self.expectUnavailable(store, mentioning: "does not answer")
        await store.close()
    }
}
