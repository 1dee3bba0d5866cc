import Foundation

/// When to try a failed message again: the Standard Webhooks schedule (immediately, then 5 s,
/// 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure), spread by jitter so that
/// an outage's backlog does not return all at once.
public struct RetrySchedule: Sendable, Equatable {
    /// The wait before attempt `n + 2` after attempt `n + 1` failed; the first attempt is immediate.
    public var delays: [TimeInterval]
    /// The fraction a delay may move either way (0.1 = ±10 %).
    public var jitter: Double

    public init(delays: [TimeInterval], jitter: Double = 0.1) {
        self.delays = delays
        self.jitter = jitter
    }

    public static let standardWebhooks = RetrySchedule(delays: [
        5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600,
    ])

    /// Attempts in all, the first included.
    public var maximumAttempts: Int { delays.count + 1 }

    /// When to try again after `attempts` failed attempts, or nil when that was the last one.
    /// A `Retry-After` the receiver asked for wins when it is later than the schedule (capped at
    /// a day, so a hostile value cannot park a message forever).
    public func nextAttempt(afterFailedAttempts attempts: Int, now: Date, retryAfter: TimeInterval? = nil,
                            random: Double = Double.random(in: -1...1)) -> Date? {
        guard attempts >= 1, attempts <= delays.count else { return nil }
        let base = delays[attempts - 1]
        var delay = base + base * jitter * max(-1, min(1, random))
        if let retryAfter, retryAfter > delay { delay = min(retryAfter, 86_400) }
        return now.addingTimeInterval(delay)
    }
}
