import Foundation
import GRDB
import Synchronization
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("Group commit: writes that arrive together share one durable transaction")
struct GroupCommitTests {
    struct Refused: Error {}

    /// A transaction held open until the test lets it go, so that writes queue up behind it.
    final class Gate: Sendable {
        private let entered = Mutex(false)
        private let semaphore = DispatchSemaphore(value: 0)

        /// Inside the transaction: says it is there, then waits.
        func hold() {
            entered.withLock { $0 = true }
            semaphore.wait()
        }

        func waitUntilHeld() async throws {
            while !entered.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        }

        func release() {
            semaphore.signal()
        }
    }

    func scratch() async throws -> (AppDatabase, GroupCommit<Int>) {
        let database = try AppDatabase.temporary()
        try await database.write { db in try db.execute(sql: "CREATE TABLE scratch (n INTEGER PRIMARY KEY)") }
        return (database, GroupCommit(pool: database.pool))
    }

    func stored(_ database: AppDatabase) async throws -> [Int] {
        try await database.read { db in try Int.fetchAll(db, sql: "SELECT n FROM scratch ORDER BY n") }
    }

    @Test("Writes that wait while a commit is in progress go together in the next one")
    func batchesFormWhileACommitIsInProgress() async throws {
        let (database, commits) = try await scratch()
        let gate = Gate()
        let first = Task {
            try await commits.write { db in
                gate.hold()
                try db.execute(sql: "INSERT INTO scratch VALUES (0)")
                return 0
            }
        }
        try await gate.waitUntilHeld()
        var others: [Task<Int, any Error>] = []
        for n in 1...10 {
            others.append(Task { try await commits.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (?)", arguments: [n]); return n } })
        }
        while commits.waitingCount < 10 { try await Task.sleep(for: .milliseconds(5)) }
        gate.release()
        #expect(try await first.value == 0)
        var answers: [Int] = []
        for task in others { answers.append(try await task.value) }
        #expect(answers == Array(1...10))
        #expect(try await stored(database) == Array(0...10))
        #expect(commits.statistics.batches == 2 && commits.statistics.largestBatch == 10)
    }

    @Test("A write that throws is rolled back alone; the others in its transaction commit")
    func aFailureStaysWithItsCaller() async throws {
        let (database, commits) = try await scratch()
        try await database.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (9)") }
        let gate = Gate()
        let holder = Task { try await commits.write { _ in gate.hold(); return -1 } }
        try await gate.waitUntilHeld()
        let ok1 = Task { try await commits.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (1)"); return 1 } }
        let bad = Task {
            try await commits.write { db -> Int in
                try db.execute(sql: "INSERT INTO scratch VALUES (2)")
                throw Refused()
            }
        }
        let duplicate = Task { try await commits.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (9)"); return 3 } }
        let ok2 = Task { try await commits.write { db in try db.execute(sql: "INSERT INTO scratch VALUES (4)"); return 4 } }
        while commits.waitingCount < 4 { try await Task.sleep(for: .milliseconds(5)) }
        gate.release()
        _ = try await holder.value
        #expect(try await ok1.value == 1)
        await #expect(throws: Refused.self) { try await bad.value }
        await #expect(throws: DatabaseError.self) { try await duplicate.value }
        #expect(try await ok2.value == 4)
        #expect(try await stored(database) == [1, 4, 9])
    }

    @Test("Two hundred provider webhooks at once: each stored once, in fewer transactions than events")
    func concurrentIngestIsBatched() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "batch").tenant
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                group.addTask {
                    let update = TrackingUpdate(
                        trackingNumber: "BATCH\(n % 20)", carrier: "dhl",
                        events: [Fixture.event(Double(n), .inTransit, "scan \(n)")])
                    _ = try await database.ingest(tenantID: tenant.id, provider: "waymark", eventID: "e\(n)", body: Array("\(n)".utf8), updates: [update])
                }
            }
            try await group.waitForAll()
        }
        let counts = try await database.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM inbound_event") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM checkpoint") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM shipment") ?? 0)
        }
        #expect(counts.0 == 200 && counts.1 == 200 && counts.2 == 20)
        #expect(database.ingestCommits.statistics.batches < 200)
    }
}
