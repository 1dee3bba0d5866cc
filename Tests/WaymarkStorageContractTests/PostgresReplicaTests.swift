import Foundation
import Testing
import WaymarkCore
import WaymarkStore

/// Page reads from a streaming replica (`WAYMARK_TEST_POSTGRES_REPLICA`, a replica of the test
/// server that scripts/test starts with `scripts/postgres replica`).
@Suite("PostgreSQL read replicas")
struct PostgresReplicaTests {
    static func replicaServer() throws -> PostgresURL {
        guard let text = ProcessInfo.processInfo.environment["WAYMARK_TEST_POSTGRES_REPLICA"], !text.isEmpty else {
            let reason = "replica tests need WAYMARK_TEST_POSTGRES_REPLICA (scripts/postgres replica prints one); skipped"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("CI must run the replica tests: \(reason)") }
            try Test.cancel(Comment(rawValue: reason))
        }
        return try PostgresURL(text)
    }

    @Test("tracking pages and lookups read from the replica once it has the rows; writes go to the primary")
    func pageReadsFromReplica() async throws {
        let server = try Backend.postgresServer()
        let replicaServer = try Self.replicaServer()
        try await TestDatabase.withFresh(on: server) { url in
            let primary = PostgresStore(url: url, connections: 2)
            try await primary.migrate()
            await primary.close()
            let store = PostgresStore(url: url, replicas: [replicaServer.database(url.database)], connections: 2)
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let shipment = try await store.createShipment(
                tenantID: tenant.id, try NewShipment(trackingNumber: "1Z999AA10123456784", carrier: "ups").validated(), now: contractDate)
            #expect(try await store.pageReadsComeFromReplica())
            // Streaming replication is asynchronous: the page appears on the replica within
            // moments alone, but with the whole suite making and dropping databases on two busy
            // cores the replica was seen 8 s (220 MB of WAL) behind; 200 tries of 25 ms were
            // not always enough.
            let started = ContinuousClock.now
            var found: TrackedShipment?
            while found == nil, ContinuousClock.now - started < .seconds(60) {
                found = try await store.shipment(tenantID: tenant.id, token: shipment.token)
                if found == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(found?.shipment.id == shipment.id, "not on the replica after \(ContinuousClock.now - started)")
            #expect(try await store.trackingPageStamp(slug: "acme", token: shipment.token)?.1?.shipment.id == shipment.id)
            // Reads that must see their own writes stay on the primary.
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id) != nil)
            await store.close()
        }
    }

    @Test("a replica that cannot be reached is passed over for the primary")
    func deadReplica() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let dead = try PostgresURL("postgres://postgres@127.0.0.1:1/\(url.database)?sslmode=disable")
            let store = PostgresStore(url: url, replicas: [dead], connections: 2)
            try await store.migrate()
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let shipment = try await store.createShipment(
                tenantID: tenant.id, try NewShipment(trackingNumber: "1Z999AA10123456784", carrier: "ups").validated(), now: contractDate)
            #expect(try await store.shipment(tenantID: tenant.id, token: shipment.token)?.shipment.id == shipment.id)
            #expect(try await store.pageReadsComeFromReplica() == false)
            await store.close()
        }
    }
}
