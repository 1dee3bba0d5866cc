import Foundation

/// When to try a failed send again, for everything Waymark retries: merchant webhooks, shopper
/// emails and texts, and registrations at tracking providers. One rule, so the two queues cannot
/// drift apart:
///
/// - A permanent failure (the other side would answer the same again) is not retried.
/// - Otherwise the n-th failed attempt waits `delays[n - 1]`, moved at random by up to ±`jitter`
///   of itself, so that sends which failed together (an outage's backlog) do not all return at once.
/// - A `Retry-After` the other side asked for is a floor under that wait: never sooner than asked.
///   The floor is capped at `longestRetryAfter`, so a hostile or mistaken value cannot park work
///   for weeks; the cap never shortens the schedule's own wait.
/// - After the last delay, it gives up.
public struct RetryPolicy: Sendable, Equatable {
    /// The wait after the first, second, … failed attempt; one attempt more than there are delays.
    public var delays: [TimeInterval]
    /// The largest share by which a delay is randomly shortened or lengthened (0.1 = ±10 %).
    public var jitter: Double
    /// The most a `Retry-After` can add to the schedule.
    public var longestRetryAfter: TimeInterval

    public init(delays: [TimeInterval], jitter: Double = 0.1, longestRetryAfter: TimeInterval = 86_400) {
        self.delays = delays
        self.jitter = jitter
        self.longestRetryAfter = longestRetryAfter
    }

    /// Deliveries (webhooks, email, SMS): the Standard Webhooks schedule — immediately, then 5 s,
    /// 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure.
    public static let standardWebhooks = RetryPolicy(delays: [
        5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600,
    ])

    /// Registrations at tracking providers: 1 min, 5 min, 30 min, 2 h, 6 h and 24 h, then the job
    /// fails and the shipment says why; the merchant can queue it again after a fix.
    public static let registration = RetryPolicy(delays: [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 24 * 3600])

    /// Attempts in all, the first included.
    public var maximumAttempts: Int { delays.count + 1 }

    /// The wait before the next attempt after `attempts` failed ones (the one just made included),
    /// or nil to give up. `random` is a number in -1...1 that picks the jitter.
    public func delay(
        afterFailedAttempts attempts: Int, permanent: Bool = false, retryAfter: TimeInterval? = nil,
        random: Double = Double.random(in: -1...1)
    ) -> TimeInterval? {
        guard !permanent, attempts >= 1, attempts <= delays.count else { return nil }
        let base = delays[attempts - 1]
        let scheduled = base + base * jitter * min(max(random, -1), 1)
        guard let retryAfter else { return scheduled }
        return max(scheduled, min(retryAfter, longestRetryAfter))
    }

    /// When to try again after `attempts` failed attempts, or nil to give up; see `delay`.
    public func nextAttempt(
        afterFailedAttempts attempts: Int, now: Date, permanent: Bool = false, retryAfter: TimeInterval? = nil,
        random: Double = Double.random(in: -1...1)
    ) -> Date? {
        delay(afterFailedAttempts: attempts, permanent: permanent, retryAfter: retryAfter, random: random)
            .map(now.addingTimeInterval)
    }
}
