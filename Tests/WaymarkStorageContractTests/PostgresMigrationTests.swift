import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test("eight nodes starting together migrate once; a second run has nothing to do")
    func concurrentMigrators() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let stores = (0..<8).map { _ in PostgresStore(url: url, connections: 1) }
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                var all: [[String]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            #expect(applied.filter { !$0.isEmpty }.count == 1)
            let recorded = try await stores[0].appliedMigrations()
            #expect(applied.flatMap { $0 } == recorded)
            #expect(try await stores[0].migrate().isEmpty)
            for store in stores { await store.close() }
        }
    }

    @Test("a database migrated by a newer Waymark is refused with a reason")
    func newerSchema() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let store = PostgresStore(url: url, connections: 1)
            try await store.migrate()
            try await store.execute(unsafeSQL: "INSERT INTO waymark_migration (id, applied_at) VALUES ('v999-future', now())")
            await #expect(throws: StoreError.storageUnavailable(
                "the database was migrated by a newer Waymark (migration 'v999-future' is unknown here); run that version or newer")) {
                try await store.migrate()
            }
            await store.close()
        }
    }

    @Test("a server that is not there is a storage fault (503), not a crash")
    func unreachable() async throws {
        let store = PostgresStore(url: try PostgresURL("postgres://waymark@127.0.0.1:1/waymark?sslmode=disable"), connections: 1)
        do {
            try await store.migrate()
            Issue.record("migrating against a closed port succeeded")
        } catch let error as StoreError {
            #expect(error.isStorageFault)
        }
        await store.close()
    }
}

@Suite("PostgreSQL maintenance lock")
struct PostgresMaintenanceLockTests {
    @Test("while one node holds the sweep lock, another node's sweep skips its round; then it sweeps")
    func oneNodeAtATime() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let nodeA = PostgresStore(url: url, connections: 2)
            let nodeB = PostgresStore(url: url, connections: 2)
            try await nodeA.migrate()
            let tenant = try await ContractFixture.tenant(nodeA, slug: "acme").tenant
            _ = try await nodeA.createShipment(
                tenantID: tenant.id, try NewShipment(trackingNumber: "1Z999AA10123456784", carrier: "ups").validated(), now: contractDate)
            let later = contractDate.addingTimeInterval(Retention.silentShipments + 86_400)
            // Node A's sweep in progress, as far as the lock says.
            let holder = PostgresStore(url: url, connections: 1)
            try await holder.holdAdvisoryLock(PostgresStore.maintenanceLock) { () async throws in
                let skipped = try await nodeB.runMaintenance(now: later, batch: 100)
                #expect(skipped == MaintenanceReport())
            }
            #expect(try await nodeB.runMaintenance(now: later, batch: 100).expired == 1)
            for store in [nodeA, nodeB, holder] { await store.close() }
        }
    }
}
