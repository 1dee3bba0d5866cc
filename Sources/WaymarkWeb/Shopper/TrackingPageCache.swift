import Foundation
import Synchronization
import WaymarkCore

/// Tracking pages as rendered, reused while nothing they show has changed.
///
/// A page is a function of the tenant (name, branding), the shipment row, its checkpoints, the
/// language, the path prefix (slug or custom domain) and the day (an ETA turns late at midnight
/// UTC). The key holds all of them, compared in full on every hit, so a change to any of them
/// is a new key: there is nothing to invalidate, and an old entry just ages out. Rendering is
/// most of a page's cost; shoppers who reopen a link, and support agents' link previews, skip it.
final class TrackingPageCache: Sendable {
    /// A class, holding the tenant and shipment by reference: they are large, and a dictionary
    /// lookup copies its key, which for a struct meant retaining and releasing every string in
    /// them on each hit.
    final class Key: Hashable, Sendable {
        let subject: TrackingPageSubject
        let language: String
        let prefix: String
        let day: Int

        init(subject: TrackingPageSubject, language: String, prefix: String, now: Date) {
            self.subject = subject
            self.language = language
            self.prefix = prefix
            day = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
        }

        /// Only what tells pages apart in practice (see `TrackingPageSubject`'s hash); equality
        /// still compares the keys in full, the subject by identity first.
        func hash(into hasher: inout Hasher) {
            hasher.combine(subject)
            hasher.combine(language)
            hasher.combine(day)
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs === rhs || (lhs.subject == rhs.subject && lhs.language == rhs.language
                && lhs.prefix == rhs.prefix && lhs.day == rhs.day)
        }
    }

    private struct Entry {
        let page: RenderedPage
        var lastUsed: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    /// Pages kept; about 10 KB each.
    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 1_024) {
        self.capacity = max(capacity, 1)
    }

    func page(for key: Key) -> RenderedPage? {
        state.withLock { state in
            guard let index = state.entries.index(forKey: key) else { return nil }
            state.clock += 1
            state.entries.values[index].lastUsed = state.clock
            return state.entries.values[index].page
        }
    }

    /// Keeps `page`; when full, the least recently used quarter goes first.
    func store(_ page: RenderedPage, for key: Key) {
        state.withLock { state in
            state.clock += 1
            state.entries[key] = Entry(page: page, lastUsed: state.clock)
            guard state.entries.count > capacity else { return }
            let stale = state.entries.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(max(capacity / 4, 1)).map(\.key)
            for key in stale { state.entries[key] = nil }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
