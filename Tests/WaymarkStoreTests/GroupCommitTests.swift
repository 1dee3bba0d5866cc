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
            try await commits.write { db, _ in
                gate.hold()
                try db.execute(sql: "INSERT INTO scratch VALUES (0)")
                return 0
            }
        }
        try await gate.waitUntilHeld()
        var others: [Task<Int, any Error>] = []
        for n in 1...10 {
            others.append(Task { try await commits.write { db, _ in try db.execute(sql: "INSERT INTO scratch VALUES (?)", arguments: [n]); return n } })
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
        let holder = Task { try await commits.write { _, _ in gate.hold(); return -1 } }
        try await gate.waitUntilHeld()
        let ok1 = Task { try await commits.write { db, _ in try db.execute(sql: "INSERT INTO scratch VALUES (1)"); return 1 } }
        let bad = Task {
            try await commits.write { db, _ -> Int in
                try db.execute(sql: "INSERT INTO scratch VALUES (2)")
                throw Refused()
            }
        }
        let duplicate = Task { try await commits.write { db, _ in try db.execute(sql: "INSERT INTO scratch VALUES (9)"); return 3 } }
        let ok2 = Task { try await commits.write { db, _ in try db.execute(sql: "INSERT INTO scratch VALUES (4)"); return 4 } }
        while commits.waitingCount < 4 { try await Task.sleep(for: .milliseconds(5)) }
        gate.release()
        _ = try await holder.value
        #expect(try await ok1.value == 1)
        await #expect(throws: Refused.self) { try await bad.value }
        await #expect(throws: DatabaseError.self) { try await duplicate.value }
        #expect(try await ok2.value == 4)
        #expect(try await stored(database) == [1, 4, 9])
    }

    @Test("The writes of one transaction share their reads, and leave final writes that a rolled-back write takes back")
    func writesShareABatch() async throws {
        let (database, commits) = try await scratch()
        let gate = Gate()
        final class Reads: Sendable { let count = Mutex(0) }
        let reads = Reads()
        let holder = Task { try await commits.write { _, _ in gate.hold(); return -1 } }
        try await gate.waitUntilHeld()
        func write(_ n: Int, key: String, fails: Bool = false) -> Task<Int, any Error> {
            Task { [commits, reads] in
                try await commits.write { db, batch in
                    _ = batch.once("setting") { reads.count.withLock { $0 += 1 } }
                    batch.atCommit(key) { db in try db.execute(sql: "INSERT INTO scratch VALUES (?)", arguments: [n]) }
                    if fails { throw Refused() }
                    return n
                }
            }
        }
        let first = write(100, key: "a")
        while commits.waitingCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let latest = write(101, key: "a")
        while commits.waitingCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        let refused = write(102, key: "a", fails: true)
        while commits.waitingCount < 3 { try await Task.sleep(for: .milliseconds(5)) }
        let other = write(200, key: "b")
        while commits.waitingCount < 4 { try await Task.sleep(for: .milliseconds(5)) }
        gate.release()
        _ = try await holder.value
        let answers = [try await first.value, try await latest.value, try await other.value]
        #expect(answers == [100, 101, 200])
        await #expect(throws: Refused.self) { try await refused.value }
        // Key "a": the latest write that committed (101), not the first, not the refused one.
        #expect(try await stored(database) == [101, 200])
        #expect(reads.count.withLock { $0 } == 1)
        #expect(commits.statistics.largestBatch == 4)
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
