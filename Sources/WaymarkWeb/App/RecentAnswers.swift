import Synchronization

/// A lookup's answers, misses included, remembered for a short `lifetime` and only while the
/// caller's `generation` stays what it was when the answer was read (the store's count of this
/// process's commits, say): a change made here shows at once, one made elsewhere (the CLI,
/// another node) within `lifetime`. Bounded: a flood of distinct keys starts it over rather than
/// grow it.
///
/// Requests asking for the same key while it is being read wait for that one read: when a busy
/// page's answer ages out, the database sees one query, not one per open connection.
final class RecentAnswers<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let until: ContinuousClock.Instant
        let generation: UInt64
    }

    private enum Slot: Sendable {
        case answer(Entry)
        /// Being read for `generation`; `Read` tells this read from a later one for the same key.
        /// The answer it replaces stays, for `same`.
        case reading(Read, generation: UInt64, replacing: Value?)
    }

    private final class Read: Sendable {
        let task: Task<Value, any Error>
        init(_ task: Task<Value, any Error>) { self.task = task }
    }

    private enum Found {
        case answer(Value)
        case reading(Read)
    }

    private let slots = Mutex<[Key: Slot]>([:])
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
    /// another generation, and no read for this generation is under way. Read `generation`
    /// before calling, so a change during the lookup makes its answer stale rather than current.
    /// A failed read is not remembered: every request that waited for it gets its error.
    func value(for key: Key, generation: UInt64 = 0) async throws -> Value {
        let now = ContinuousClock.now
        let found = slots.withLock { slots -> Found in
            var replacing: Value?
            switch slots[key] {
            case .answer(let entry):
                if now < entry.until && entry.generation == generation { return .answer(entry.value) }
                replacing = entry.value
            case .reading(let read, generation: let readFor, replacing: let previous):
                if readFor == generation { return .reading(read) }
                replacing = previous
            case nil:
                break
            }
            if slots.count >= capacity {
                slots = slots.filter {
                    guard case .answer(let entry) = $0.value else { return true }
                    return now < entry.until && entry.generation == generation
                }
                if slots.count >= capacity { slots.removeAll(keepingCapacity: true) }
            }
            let read = Read(Task { [lookup] in try await lookup(key) })
            slots[key] = .reading(read, generation: generation, replacing: replacing)
            return .reading(read)
        }
        switch found {
        case .answer(let value): return value
        case .reading(let read): return try await settle(read, key: key, generation: generation, now: now)
        }
    }

    /// Waits for `read` and, if it is still the one under way for `key`, remembers its answer
    /// (or forgets the failed read); a later read for the key is left to settle itself.
    private func settle(_ read: Read, key: Key, generation: UInt64, now: ContinuousClock.Instant) async throws -> Value {
        let result = await read.task.result
        return try slots.withLock { slots in
            guard case .reading(let current, _, let replacing) = slots[key], current === read else { return try result.get() }
            switch result {
            case .success(var value):
                if let same, let replacing, same(replacing, value) { value = replacing }
                slots[key] = .answer(Entry(value: value, until: now.advanced(by: lifetime), generation: generation))
                return value
            case .failure(let error):
                slots[key] = nil
                throw error
            }
        }
    }

    /// How many answers are remembered.
    var count: Int { slots.withLock { $0.values.count { if case .answer = $0 { true } else { false } } } }

    /// Forgets every answer.
    func forgetAll() {
        slots.withLock { $0.removeAll() }
    }
}
