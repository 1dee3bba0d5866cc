import Foundation
import Testing
import WaymarkCore

@Suite("Retry policy: schedules, jitter, Retry-After, giving up")
struct RetryPolicyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Deliveries follow the Standard Webhooks schedule: ten attempts, the delays in order, then none")
    func standardWebhooks() {
        let policy = RetryPolicy.standardWebhooks

        let delays = (1...9).map { policy.delay(afterFailedAttempts: $0, random: 0) }

        #expect(policy.maximumAttempts == 10)
        #expect(delays == [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400])
        #expect(policy.delay(afterFailedAttempts: 10, random: 0) == nil)
    }

    @Test("Registrations wait 1 min, 5 min, 30 min, 2 h, 6 h and 24 h, then give up")
    func registration() {
        let policy = RetryPolicy.registration

        let delays = (1...6).map { policy.delay(afterFailedAttempts: $0, random: 0) }

        #expect(policy.maximumAttempts == 7)
        #expect(delays == [60, 300, 1_800, 7_200, 21_600, 86_400])
        #expect(policy.delay(afterFailedAttempts: 7, random: 0) == nil)
    }

    @Test("No retry without a failed attempt to count from")
    func nothingFailedYet() {
        #expect(RetryPolicy.standardWebhooks.delay(afterFailedAttempts: 0, random: 0) == nil)
        #expect(RetryPolicy.registration.delay(afterFailedAttempts: -1, random: 0) == nil)
    }

    @Test("Jitter moves a delay by at most ±10 %, and out-of-range randomness is clamped")
    func jitterBounds() {
        let policy = RetryPolicy.standardWebhooks

        #expect(policy.delay(afterFailedAttempts: 2, random: 1) == 330)
        #expect(policy.delay(afterFailedAttempts: 2, random: -1) == 270)
        #expect(policy.delay(afterFailedAttempts: 2, random: 7) == 330)
        #expect(policy.delay(afterFailedAttempts: 2, random: -7) == 270)
        for step in 0...20 {
            let delay = policy.delay(afterFailedAttempts: 4, random: Double(step) / 10 - 1) ?? 0
            #expect((6_480...7_920).contains(delay))
        }
    }

    @Test("Retry-After is a floor under the jittered delay, never a ceiling")
    func retryAfterFloor() {
        let policy = RetryPolicy.registration

        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: 900, random: 0) == 900)
        #expect(policy.delay(afterFailedAttempts: 3, retryAfter: 120, random: 0) == 1_800)
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: 0, random: -1) == 54)
    }

    @Test("Retry-After is capped at a day, and the cap never cuts the schedule's own longer wait")
    func retryAfterCap() {
        let policy = RetryPolicy.standardWebhooks

        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: 30 * 86_400, random: 0) == 86_400)
        // The last delay is 24 h; with +5 % jitter it is 25.2 h, longer than any Retry-After may ask.
        #expect(policy.delay(afterFailedAttempts: 9, retryAfter: 90_000, random: 0.5) == 90_720)
        let shortCap = RetryPolicy(delays: [60], longestRetryAfter: 600)
        #expect(shortCap.delay(afterFailedAttempts: 1, retryAfter: 3_600, random: 0) == 600)
    }

    @Test("A permanent failure is never retried, whatever the schedule or Retry-After say")
    func permanentFailure() {
        for policy in [RetryPolicy.standardWebhooks, .registration] {
            #expect(policy.delay(afterFailedAttempts: 1, permanent: true, random: 0) == nil)
            #expect(policy.delay(afterFailedAttempts: 1, permanent: true, retryAfter: 60, random: 0) == nil)
        }
    }

    @Test("The next attempt is the delay after the given instant")
    func nextAttempt() {
        let policy = RetryPolicy.standardWebhooks

        #expect(policy.nextAttempt(afterFailedAttempts: 3, now: now, random: 0) == now.addingTimeInterval(1_800))
        #expect(policy.nextAttempt(afterFailedAttempts: 1, now: now, retryAfter: 120, random: 0) == now.addingTimeInterval(120))
        #expect(policy.nextAttempt(afterFailedAttempts: 10, now: now, random: 0) == nil)
    }
}
