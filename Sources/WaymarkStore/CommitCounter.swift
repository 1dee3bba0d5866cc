import GRDB
import Synchronization

/// Counts the commits of the pool's writer: told of every commit, interested in no row.
final class CommitCounter: TransactionObserver, Sendable {
    private let commits = Atomic<UInt64>(0)

    var count: UInt64 { commits.load(ordering: .acquiring) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .releasing) }
    func databaseDidRollback(_ db: Database) {}
}
