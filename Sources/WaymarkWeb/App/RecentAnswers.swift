import Synchronization

/// A lookup's answers, misses included, remembered for a short `lifetime` and only while the
/// caller's `generation` stays what it was when the answer was read (the store's count of this
/// process's commits, say): a change made here shows at once, one made elsewhere (the CLI,
/// another node) within `lifetime`. Bounded: a flood of distinct keys starts it over rather than
/// grow it.
///
/// Each request that finds no current answer reads its own. (Requests sharing one read would save
/// the database a burst of the same query when a busy answer ages out, but would also all wait
/// on that one read if it hung on a connection a restarted server had ended, for up to
/// `PostgresStore.operationLimit`.)
final class RecentAnswers<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let until: ContinuousClock.Instant
        let generation: UInt64
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int
    private let same: (@Sendable (Value, Value) -> Bool)?
    private let lookup: @Sendable (Key) async throws -> Value

    /// - Parameters:
    ///   - same: tells an answer read again that is the same as the remembered one, which is
    ///     then kept: an object stays the same object while what it holds does not change.
    ///   - lookup: reads the answer for a key. Given once here rather than with each question, so
    ///     that asking makes no closure (a request's handler capturing itself in one copied
    ///     the whole handler for every request).
    init(
        lifetime: Duration, capacity: Int, same: (@Sendable (Value, Value) -> Bool)? = nil, lookup: @escaping @Sendable (Key) async throws -> Value
    ) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.same = same
        self.lookup = lookup
    }

    /// The answer for `key`; asks `lookup` only when the remembered one is missing, old, or from
    /// another generation. Read `generation` before calling, so a change during the lookup makes
    /// its answer stale rather than current. A failed read is not remembered.
    func value(for key: Key, generation: UInt64 = 0) async throws -> Value {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now < entry.until, entry.generation == generation { return entry.value }
        let read = try await lookup(key)
        return entries.withLock { entries in
            var value = read
            if let same, let kept = entries[key]?.value, same(kept, read) { value = kept }
            if entries.count >= capacity {
                entries = entries.filter { now < $0.value.until && $0.value.generation == generation }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(value: value, until: now.advanced(by: lifetime), generation: generation)
            return value
        }
    }

    /// How many answers are remembered.
    var count: Int { entries.withLock { $0.count } }

    /// Forgets every answer.
    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }
}
