import Foundation
import Testing
import WaymarkCore

@Suite("Retry-After and quiet hours")
struct NotificationTimingTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Retry-After as seconds or as an HTTP date")
    func retryAfterHeader() {
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds("1.5", now: now) == nil)
        #expect(RetryAfter.seconds("99999999999999999999999", now: now) == 86_400)
        // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT.
        #expect(RetryAfter.seconds("Fri, 15 Jan 2027 08:01:30 GMT", now: now) == 90)
        #expect(RetryAfter.seconds("Fri, 15 Jan 2027 07:00:00 GMT", now: now) == 0)
    }

    @Test("Quiet hours across midnight hold texts until the window ends, in the tenant's zone")
    func quietHours() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let quiet = QuietHours(start: 21, end: 8, timeZone: berlin)
        // 2027-01-15 08:00 UTC is 09:00 in Berlin: fine.
        #expect(quiet.postponement(for: now) == nil)
        // 22:30 Berlin (21:30 UTC) waits for 08:00 Berlin next morning (07:00 UTC).
        let evening = now.addingTimeInterval(13.5 * 3600)
        #expect(quiet.postponement(for: evening) == now.addingTimeInterval(23 * 3600))
        // 03:00 Berlin waits until 08:00 the same morning.
        let night = now.addingTimeInterval(18 * 3600)
        #expect(quiet.postponement(for: night) == now.addingTimeInterval(23 * 3600))
        #expect(QuietHours(start: 9, end: 9, timeZone: berlin).postponement(for: evening) == nil)
        // A window within one day.
        let lunch = QuietHours(start: 12, end: 14, timeZone: .gmt)
        #expect(lunch.postponement(for: now.addingTimeInterval(5 * 3600)) == now.addingTimeInterval(6 * 3600))
    }

    @Test("Trigger keys read back to the same trigger")
    func triggerKeysRoundTrip() throws {
        let customs = try Substatus(parsing: "exception.customs_hold")
        let triggers: [NotificationTrigger] = [
            .created, .statusEntered(.delivered, nil), .statusEntered(.exception, customs), .checkpointAdded(fingerprint: "abc"),
            .stalled(since: now), .etaChanged(to: nil), .etaChanged(to: RFC3339.parseDay("2027-01-20")),
        ]
        for trigger in triggers {
            #expect(NotificationTrigger(key: trigger.key) == trigger)
        }
        #expect(NotificationTrigger(key: NotificationTrigger.substatusEntered(customs).key) == .statusEntered(.exception, customs))
        #expect(NotificationTrigger(key: "status:nonsense") == nil)
        #expect(NotificationTrigger(key: "stalled:x") == nil)
        #expect(NotificationTrigger(key: "whatever") == nil)
        #expect(NotificationTrigger.statusEntered(.exception, customs).templateName == "exception")
        #expect(NotificationTrigger.stalled(since: now).templateName == "stalled")
    }
}
