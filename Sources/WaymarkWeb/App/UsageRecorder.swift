import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WaymarkCore

/// Counts what is used on the request path without writing there: tracking-page views (per
/// shipment and per tenant and day, no cookie, no address), clicks on after-delivery links (per
/// link and day) and API keys' last use. Counts wait
/// in memory and `UsageFlusher` writes them in one transaction every few seconds and at shutdown,
/// so a page view never waits for the database.
final class UsageRecorder: Sendable {
    private struct Pending {
        var views = PageViewBatch()
        var keys: [Int64: Date] = [:]
        var clicks: [LinkClickDay: Int] = [:]
        /// Today as a day number and as text, so a view does not format a date.
        var day: (number: Int, text: String)?
    }

    private let pending = Mutex(Pending())

    func pageView(tenantID: Int64, token: String, source: PageVisitSource?, at now: Date) {
        let fromMessage = source?.isProactive == true ? 1 : 0
        let dayNumber = Int((now.timeIntervalSince1970 / 86_400).rounded(.down))
        pending.withLock { pending in
            // A flood of made-up tokens must not grow memory without bound: they are dropped at the flush anyway.
            guard pending.views.byToken.count < 100_000 else { return }
            let dayText: String
            if let known = pending.day, known.number == dayNumber {
                dayText = known.text
            } else {
                dayText = RFC3339.day(now)
                pending.day = (dayNumber, dayText)
            }
            let day = PageViewBatch.PageDay(tenantID: tenantID, day: dayText)
            // One hash per table: the entries are changed in place.
            Self.count(&pending.views.byToken[token, default: .init(first: now, last: now)], fromMessage: fromMessage, at: now)
            Self.count(&pending.views.byTenantDay[day, default: .init(first: now, last: now)], fromMessage: fromMessage, at: now)
        }
    }

    private static func count(_ count: inout PageViewBatch.Count, fromMessage: Int, at now: Date) {
        count.views += 1
        count.fromMessages += fromMessage
        count.last = now
    }

    func linkClicked(_ linkID: Int64, at now: Date) {
        pending.withLock { $0.clicks[LinkClickDay(linkID: linkID, day: RFC3339.day(now)), default: 0] += 1 }
    }

    func keyUsed(_ keyID: Int64, at now: Date) {
        pending.withLock { $0.keys[keyID] = now }
    }

    /// Writes what was counted since the last flush; on failure the counts are lost, never the page.
    func flush(to database: any SupportStore & APIKeyStore) async throws {
        let taken = pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
        try await database.recordPageViews(taken.views)
        try await database.recordAPIKeyUse(taken.keys)
        try await database.recordLinkClicks(taken.clicks)
    }
}

/// Flushes a `UsageRecorder` every `interval` and once more at shutdown.
struct UsageFlusher: Service {
    let recorder: UsageRecorder
    let database: any SupportStore & APIKeyStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await flush()
        }
    }

    func flush() async {
        do {
            try await recorder.flush(to: database)
        } catch {
            logger.error("usage counts not written", metadata: ["error": .string("\(error)")])
        }
    }
}
