import Foundation
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("PostgreSQL group commit")
struct PostgresGroupCommitTests {
    @Test("two nodes take 400 webhooks at once, some naming two shipments in either order: batched, no deadlock left unresolved, each stored once")
    func twoNodesBatchWithoutDeadlock() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let nodes = [PostgresStore(url: url, connections: 8), PostgresStore(url: url, connections: 8)]
            try await nodes[0].migrate()
            let tenant = try await ContractFixture.tenant(nodes[0], slug: "acme").tenant
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<400 {
                    let node = nodes[n % 2]
                    group.addTask {
                        let (a, b) = (n % 20, (n * 7 + 3) % 20)
                        var updates = [TrackingUpdate(trackingNumber: "1ZNODE\(a)", carrier: "ups", events: [Self.scan(n, "a")])]
                        if n % 3 == 0, a != b {
                            updates.append(TrackingUpdate(trackingNumber: "1ZNODE\(b)", carrier: "ups", events: [Self.scan(n, "b")]))
                        }
                        let outcome = try await node.ingest(
                            tenantID: tenant.id, provider: "aftership", eventID: "evt_\(n)", body: Array("\(n)".utf8), updates: updates, now: contractDate)
                        #expect(!outcome.duplicate)
                    }
                }
                try await group.waitForAll()
            }
            let expected = (0..<400).reduce(0) { total, n in total + (n % 3 == 0 && n % 20 != (n * 7 + 3) % 20 ? 2 : 1) }
            var checkpoints = 0
            for number in 0..<20 {
                let shipment = try #require(try await nodes[1].lookupShipment(tenantID: tenant.id, trackingNumber: "1ZNODE\(number)"))
                checkpoints += shipment.checkpoints.count
                // The newest event decides, whichever node and batch applied it.
                let newest = try #require(shipment.checkpoints.map(\.event.occurredAt).max())
                #expect(shipment.shipment.lastEventAt == newest)
            }
            #expect(checkpoints == expected)
            #expect(try await nodes[0].inboundEvents(tenantID: tenant.id, since: contractDate, provider: nil, id: nil).count == 400)
            let batched = nodes.map { $0.ingestCommits.statistics }
            #expect(batched.map(\.batches).reduce(0, +) < 400, "webhooks arriving together share transactions")
            #expect(batched.contains { $0.largestBatch > 1 })
            for node in nodes { await node.close() }
        }
    }

    private static func scan(_ n: Int, _ leg: String) -> CheckpointEvent {
        CheckpointEvent(occurredAt: contractDate.addingTimeInterval(Double(n)), status: .inTransit, message: "scan \(n) \(leg)", source: "test")
    }
}
