import Foundation
import Synchronization
import Testing
import WaymarkCore
@testable import WaymarkStore

/// A connection PostgreSQL ends in the middle of a request fails the request as a storage fault;
/// it never leaves it waiting.
@Suite("PostgreSQL connection faults")
struct PostgresFaultTests {
    @Test("a transaction whose connection is terminated mid-statement fails at once", arguments: [false, true])
    func terminatedMidTransaction(_ inTransaction: Bool) async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let store = PostgresStore(url: url, connections: 4)
            let admin = PostgresStore(url: url, connections: 1)
            try await store.migrate()
            let started = ContinuousClock.now
            async let killer: Void = {
                try await Task.sleep(for: .milliseconds(500))
                try await admin.execute(unsafeSQL: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(5)%' AND pid <> pg_backend_pid()")
            }()
            do {
                if inTransaction {
                    try await store.transaction { c in _ = try await c.run("SELECT pg_sleep(5)").values(String.self) }
                } else {
                    try await store.run { c in _ = try await c.run("SELECT pg_sleep(5)").values(String.self) }
                }
                Issue.record("the terminated statement succeeded")
            } catch let error as StoreError {
                #expect(error.isStorageFault, "\(error)")
            }
            try await killer
            // Well within the operation limit: nothing waited for an answer that could not come.
            #expect(ContinuousClock.now - started < .seconds(4))
            await store.close()
            await admin.close()
        }
    }

    @Test("webhooks being ingested when every connection is terminated all get an answer")
    func ingestWhileTerminated() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let store = PostgresStore(url: url, connections: 12)
            let admin = PostgresStore(url: url, connections: 1)
            try await store.migrate()
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let answered = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sender in 0..<8 {
                    group.addTask {
                        for index in 0..<60 {
                            let number = "1ZFAULT\(sender)X\(index)"
                            let update = TrackingUpdate(trackingNumber: number, carrier: "ups", events: [
                                CheckpointEvent(occurredAt: contractDate, status: .inTransit, message: "scan", source: "test")])
                            _ = try? await store.ingest(
                                tenantID: tenant.id, provider: "aftership", eventID: number, body: Array(number.utf8), updates: [update], now: contractDate)
                            answered.add()
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<5 {
                        try await Task.sleep(for: .milliseconds(150))
                        try await admin.execute(unsafeSQL: """
                            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                              AND application_name = 'waymark'
                            """)
                    }
                }
                try await group.waitForAll()
            }
            #expect(answered.value == 480)
            await store.close()
            await admin.close()
        }
    }

    /// A request waiting for a pooled connection, or for an answer on one the server ended
    /// without a word, is answered as soon as its server is found gone, as new requests are, and
    /// not only at `connectionWait` or `operationLimit`. (The server's health here is one that
    /// probes a closed port, so it finds it gone within a second while the pool still works.)
    @Test("requests already waiting are answered once the server is found gone", arguments: [false, true])
    func waitingRequestsLearnTheServerIsGone(_ waitingForConnection: Bool) async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            let store = PostgresStore(url: url, connections: 1)
            let gone = ServerHealth(url: try PostgresURL("postgres://waymark@127.0.0.1:1/none?sslmode=disable"), logger: .init(label: "test"))
            let started = ContinuousClock.now
            // Either another request holds the pool's only connection for six seconds, or this
            // one waits six seconds for its statement's answer.
            async let holder: Void = {
                guard waitingForConnection else { return }
                try await store.run { c in _ = try await c.run("SELECT pg_sleep(6)").values(String.self) }
            }()
            if waitingForConnection { try await Task.sleep(for: .milliseconds(300)) }
            do {
                try await PostgresStore.leasing(store.client, gone) { c in _ = try await c.run("SELECT pg_sleep(6)").values(String.self) }
                Issue.record("the request waited for the server it was told is gone")
            } catch let error as StoreError {
                #expect(error.isStorageFault, "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(3), "answered only at a limit")
            try await holder
            await gone.stop()
            await store.close()
        }
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
