import Foundation
import Synchronization

/// Token buckets keyed by a string (client address, tenant, API key), refilled continuously;
/// limits are per minute. Shopper lookups use it against order-number guessing, the API per key.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        /// Seconds on the limiter's clock.
        var updated: Double
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let capacity: Double
    private let perSecond: Double
    private let seconds: @Sendable () -> Double

    /// - Parameter seconds: the clock buckets refill by, in seconds; the monotonic clock unless
    ///   a caller passes the app's (so a test's pinned clock holds a bucket empty).
    init(perMinute: Int, seconds: (@Sendable () -> Double)? = nil) {
        capacity = Double(max(1, perMinute))
        perSecond = Double(max(1, perMinute)) / 60
        self.seconds = seconds ?? {
            let elapsed = ContinuousClock.now - RateLimiter.origin
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    private static let origin = ContinuousClock.now

    /// Takes one token for `key`; returns nil when allowed, or the seconds to wait.
    func take(_ key: String) -> Int? {
        let now = seconds()
        return buckets.withLock { buckets in
            if buckets.count > 50_000 { prune(&buckets, now: now) }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, now - bucket.updated)
            bucket.tokens = min(capacity, bucket.tokens + elapsed * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return Int(((1 - bucket.tokens) / perSecond).rounded(.up)) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Drops buckets that have refilled completely: they hold no information.
    private func prune(_ buckets: inout [String: Bucket], now: Double) {
        let full = capacity / perSecond
        buckets = buckets.filter { now - $0.value.updated < full }
    }
}
