import Foundation
import Synchronization

/// Token buckets keyed by a string (client address, tenant, API key), refilled continuously;
/// limits are per minute. Shopper lookups use it against order-number guessing, the API per key.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let capacity: Double
    private let perSecond: Double
    private let clock = ContinuousClock()

    init(perMinute: Int) {
        capacity = Double(max(1, perMinute))
        perSecond = Double(max(1, perMinute)) / 60
    }

    /// Takes one token for `key`; returns nil when allowed, or the seconds to wait.
    func take(_ key: String) -> Int? {
        let now = clock.now
        return buckets.withLock { buckets in
            if buckets.count > 50_000 { prune(&buckets, now: now) }
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * perSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return Int(((1 - bucket.tokens) / perSecond).rounded(.up)) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Drops buckets that have refilled completely: they hold no information.
    private func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        let full = Duration.seconds(capacity / perSecond)
        buckets = buckets.filter { now - $0.value.updated < full }
    }
}
