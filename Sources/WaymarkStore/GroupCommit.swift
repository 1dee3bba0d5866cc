import Dispatch
import GRDB
import Synchronization

/// Commits many small writes in one transaction, each still answered only after that commit.
///
/// With `synchronous = FULL` every commit waits for the disk, so one transaction per provider
/// webhook caps ingest at the disk's flush rate. Here the first caller starts a writer that takes
/// everything waiting (up to `maxBatch`), runs each piece of work in its own savepoint, commits
/// once, and then answers every caller. A piece that throws is rolled back alone and its caller
/// gets the error; the others commit. When the commit itself fails, nobody's work is stored and
/// everybody gets the error. A lone write waits for nobody: batches form only while the previous
/// commit is in progress, so the batch size follows the load.
///
/// The writes of one transaction share a `CommitBatch`: what they read that none of them changes
/// (a tenant's settings) is read once, and a row they would all overwrite (the provider's last
/// event time) is written once, just before the commit.
final class GroupCommit<Output: Sendable>: Sendable {
    typealias Work = @Sendable (Database, CommitBatch) throws -> Output

    private struct Waiting {
        let work: Work
        let answer: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
        var batches = 0
        var largestBatch = 0
    }

    private let pool: DatabasePool
    private let maxBatch: Int
    private let state = Mutex(State())
    /// Where the writer loop runs: off the cooperative pool, so the next transaction need not
    /// wait for a thread that is reading requests; and on a serial queue of its own, which gets a
    /// thread of its own, rather than a global queue, which has only as many as there are cores
    /// and can have them all blocked.
    private let writerLoop = DispatchQueue(label: "waymark.group-commit", qos: .userInitiated)

    init(pool: DatabasePool, maxBatch: Int = 128) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `work` in a write transaction shared with other callers; returns after the commit.
    func write(_ work: @escaping Work) async throws -> Output {
        try await withCheckedThrowingContinuation { answer in
            let startWriter = state.withLock { state in
                state.waiting.append(Waiting(work: work, answer: answer))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter {
                writerLoop.async { self.drain() }
            }
        }
    }

    /// How many transactions were committed and the most writes one of them held.
    var statistics: (batches: Int, largestBatch: Int) {
        state.withLock { ($0.batches, $0.largestBatch) }
    }

    /// Writes waiting for the transaction in progress.
    var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// Writes batch after batch on this (blocked) thread until nothing waits.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty {
                    state.writing = false
                } else {
                    state.batches += 1
                    state.largestBatch = max(state.largestBatch, batch.count)
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            let works = batch.map(\.work)
            do {
                let results = try pool.write { db in
                    let shared = CommitBatch()
                    let results = try works.map { work in try Self.attempt(work, in: db, sharing: shared) }
                    try shared.finish(db)
                    return results
                }
                for (waiting, result) in zip(batch, results) {
                    waiting.answer.resume(with: result.mapError(AppDatabase.storeError))
                }
            } catch {
                for waiting in batch {
                    waiting.answer.resume(throwing: AppDatabase.storeError(error))
                }
            }
        }
    }

    /// One caller's work in a savepoint of the shared transaction: rolled back alone if it throws,
    /// with the writes it left for the commit. The savepoint's statements are prepared once per
    /// connection (GRDB's `inSavepoint` prepares them again for every write). When SQLite has
    /// already ended the whole transaction (a full disk, an I/O error), there is no savepoint to
    /// go back to: the error is thrown, and every write of the batch gets it.
    private static func attempt(_ work: Work, in db: Database, sharing shared: CommitBatch) throws -> Result<Output, any Error> {
        let mark = shared.mark
        try db.cachedStatement(sql: "SAVEPOINT grouped").execute()
        do {
            let output = try work(db, shared)
            try db.cachedStatement(sql: "RELEASE SAVEPOINT grouped").execute()
            return .success(output)
        } catch {
            shared.rollBack(to: mark)
            do {
                try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT grouped").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT grouped").execute()
            } catch _ {
                throw error
            }
            return .failure(error)
        }
    }
}

/// What the writes of one transaction share (see `GroupCommit`). Used only on the writer's
/// connection, one transaction at a time. A transaction that is not grouped makes its own, and
/// must call `finish` before it ends if what it ran leaves final writes (only ingest does).
final class CommitBatch {
    private var reads: [String: Any] = [:]
    private var finalWrites: [(key: String, write: (Database) throws -> Void)] = []

    init() {}

    /// `read()`'s answer, read once per transaction under `key`. Only for what no write of the
    /// transaction changes.
    func once<T>(_ key: String, _ read: () throws -> T) rethrows -> T {
        if let stored = reads[key], let known = stored as? T { return known }
        let value = try read()
        reads[key] = value
        return value
    }

    /// Runs `write` just before the commit, once for `key`: the latest one given wins.
    func atCommit(_ key: String, _ write: @escaping (Database) throws -> Void) {
        finalWrites.append((key, write))
    }

    /// Where the final writes stand, to drop those of a savepoint that is rolled back.
    var mark: Int { finalWrites.count }

    func rollBack(to mark: Int) {
        finalWrites.removeSubrange(mark...)
    }

    /// Runs the final writes, the latest given for each key.
    func finish(_ db: Database) throws {
        var latest: [String: Int] = [:]
        for (index, entry) in finalWrites.enumerated() { latest[entry.key] = index }
        for (index, entry) in finalWrites.enumerated() where latest[entry.key] == index {
            try entry.write(db)
        }
        finalWrites.removeAll()
    }
}
