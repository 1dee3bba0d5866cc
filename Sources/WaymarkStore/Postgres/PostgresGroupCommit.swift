import Synchronization

/// Commits writes that arrive together in one PostgreSQL transaction, each answered only after
/// that commit: `GroupCommit` for PostgreSQL.
///
/// On PostgreSQL the disk flushes of concurrent commits are shared by the server already; what a
/// transaction per write costs here is statements. Every statement is a round trip that both
/// processes spend CPU on, and a webhook alone needs `BEGIN`, `COMMIT`, and reads of its tenant's
/// settings and endpoints besides its own work. A batch pays those once.
///
/// Unlike SQLite's single writer, several batches are written at once (`writers`, each on its own
/// pooled connection), since one connection's round trips would otherwise bound the rate. A
/// waiting write is taken by the next writer that is free; a writer takes its share of what waits
/// (at most `maxBatch`), so batches form only under load and a lone write waits for nobody.
/// `commit` decides how a batch is written and answers each write: see `PostgresStore.ingest`.
final class PostgresGroupCommit<Write: Sendable, Output: Sendable>: Sendable {
    typealias Commit = @Sendable ([Write]) async -> [Result<Output, any Error>]

    private struct Waiting {
        let write: Write
        let answer: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = 0
        var batches = 0
        var largestBatch = 0
    }

    private let writers: Int
    private let maxBatch: Int
    private let state = Mutex(State())

    init(writers: Int, maxBatch: Int = 32) {
        self.writers = max(1, writers)
        self.maxBatch = max(1, maxBatch)
    }

    /// Runs `write` in a batch written by `commit` (the same function for every caller) and
    /// returns its answer once that batch is committed.
    func write(_ write: Write, by commit: @escaping Commit) async throws -> Output {
        try await withCheckedThrowingContinuation { answer in
            let startWriter = state.withLock { state in
                state.waiting.append(Waiting(write: write, answer: answer))
                guard state.writing < writers else { return false }
                state.writing += 1
                return true
            }
            if startWriter {
                Task { await self.drain(by: commit) }
            }
        }
    }

    /// How many batches were committed and the most writes one of them held.
    var statistics: (batches: Int, largestBatch: Int) {
        state.withLock { ($0.batches, $0.largestBatch) }
    }

    /// Writes batch after batch until nothing waits.
    private func drain(by commit: Commit) async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                // A fair share of what waits, so that the other writers have some too.
                let share = (state.waiting.count + writers - 1) / writers
                let batch = Array(state.waiting.prefix(min(maxBatch, max(1, share))))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty {
                    state.writing -= 1
                } else {
                    state.batches += 1
                    state.largestBatch = max(state.largestBatch, batch.count)
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            let results = await commit(batch.map(\.write))
            for (index, waiting) in batch.enumerated() {
                waiting.answer.resume(with: index < results.count ? results[index] : .failure(MissingAnswer()))
            }
        }
    }

    /// A `commit` that answered fewer writes than it was given (a bug; never a hang).
    private struct MissingAnswer: Error {}
}
