import Synchronization

/// A lookup's answers, misses included, remembered for a short `lifetime` and only while the
/// caller's `generation` stays what it was when the answer was read (the store's count of this
/// process's commits, say): a change made here shows at once, one made elsewhere (the CLI,
/// another node) within `lifetime`. Bounded: a flood of distinct keys starts it over rather than
/// grow it.
final class RecentAnswers<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let until: ContinuousClock.Instant
        let generation: UInt64
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The answer for `key`; asks `lookup` only when the remembered one is missing, old, or from
    /// another generation. Read `generation` before calling, so a change during the lookup makes
    /// its answer stale rather than current.
    func value(for key: Key, generation: UInt64 = 0, lookup: (Key) async throws -> Value) async rethrows -> Value {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now < entry.until, entry.generation == generation { return entry.value }
        let value = try await lookup(key)
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { now < $0.value.until && $0.value.generation == generation }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: value, until: now.advanced(by: lifetime), generation: generation)
        }
        return value
    }

    /// How many answers are remembered.
    var count: Int { entries.withLock { $0.count } }

    /// Forgets every answer.
    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }
}
