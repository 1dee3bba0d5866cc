import Synchronization
import WaymarkCore

/// Which tenant each custom host name serves, remembered for a few seconds, misses included:
/// without it every request on a host other than the base host costs a query, and a client
/// sending random `Host` headers could make every request cost one. A domain changed in this
/// process is forgotten at once (`forget`); one changed elsewhere (the CLI, another node) is
/// picked up when its entry ages out.
final class TenantHosts: Sendable {
    private struct Entry {
        let slug: String?
        let until: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration = .seconds(10), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The slug of the tenant `host` serves, nil when none; asks `lookup` only when the host's
    /// entry is missing or old.
    func slug(for host: String, lookup: (String) async throws -> String?) async throws -> String? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[host] }), now < entry.until { return entry.slug }
        let slug = try await lookup(host)
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { now < $0.value.until }
                // Still full: a flood of distinct hosts; start again rather than grow.
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[host] = Entry(slug: slug, until: now.advanced(by: lifetime))
        }
        return slug
    }

    /// How many hosts are remembered.
    var count: Int { entries.withLock { $0.count } }

    /// Forgets every host: a tenant's domain just changed.
    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }
}
