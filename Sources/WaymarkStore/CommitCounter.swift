import GRDB
import Synchronization

/// Counts the commits of the pool's writer: every commit, or with `tables`, only the commits
/// that changed a row of one of them.
final class CommitCounter: TransactionObserver, Sendable {
    private let tables: Set<String>?
    private let commits = Atomic<UInt64>(0)
    /// Whether the transaction in progress changed a watched table; only the writer touches it.
    private let changed = Atomic<Bool>(false)

    init(tables: Set<String>? = nil) {
        self.tables = tables
    }

    var count: UInt64 { commits.load(ordering: .acquiring) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { tables?.contains(eventKind.tableName) ?? false }
    func databaseDidChange(with event: DatabaseEvent) { changed.store(true, ordering: .relaxed) }

    func databaseDidCommit(_ db: Database) {
        if tables == nil || changed.exchange(false, ordering: .relaxed) { commits.add(1, ordering: .releasing) }
    }

    func databaseDidRollback(_ db: Database) { changed.store(false, ordering: .relaxed) }
}
