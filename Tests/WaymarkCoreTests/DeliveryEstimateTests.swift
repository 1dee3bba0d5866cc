import Foundation
import Testing
import WaymarkCore

@Suite("DeliveryEstimate.describe")
struct DeliveryEstimateTests {
    let now = utc(2025, 6, 15, 12)

    func describe(_ status: DeliveryStatus, eta: Date?, deliveredAt: Date? = nil, zone: String = "UTC") -> DeliveryEstimate {
        DeliveryEstimate.describe(status: status, eta: eta, deliveredAt: deliveredAt, now: now, calendar: calendar(zone))
    }

    @Test("Delivered shows the delivery date, not the ETA")
    func delivered() {
        let deliveredAt = utc(2025, 6, 14, 16, 30)
        #expect(describe(.delivered, eta: utc(2025, 6, 10), deliveredAt: deliveredAt) == .deliveredOn(deliveredAt))
    }

    @Test("Expired promises nothing, even with an ETA")
    func expired() {
        #expect(describe(.expired, eta: utc(2025, 6, 20)) == DeliveryEstimate.none)
    }

    @Test("No ETA is unknown", arguments: [DeliveryStatus.pending, .inTransit, .outForDelivery, .exception])
    func noETA(status: DeliveryStatus) {
        #expect(describe(status, eta: nil) == .unknown)
    }

    @Test("An ETA of today is expected all day, even past the hour it names")
    func etaToday() {
        for eta in [utc(2025, 6, 15), utc(2025, 6, 15, 9), utc(2025, 6, 15, 23, 59)] {
            #expect(describe(.inTransit, eta: eta) == .expected(eta))
        }
    }

    /// The page says "should arrive today" for a parcel with the driver: the date beside it must
    /// be today too, not a carrier's older estimate (the demo showed tomorrow under "today").
    @Test("Out for delivery is expected today, not on a later day an older ETA named; a past ETA stays late")
    func outForDeliveryArrivesToday() {
        for eta in [utc(2025, 6, 16), utc(2025, 6, 20)] {
            #expect(describe(.outForDelivery, eta: eta) == .expected(now))
        }
        #expect(describe(.outForDelivery, eta: utc(2025, 6, 15, 8)) == .expected(utc(2025, 6, 15, 8)))
        #expect(describe(.outForDelivery, eta: utc(2025, 6, 12)) == .late(originallyExpected: utc(2025, 6, 12)))
    }

    @Test("An ETA before today is late")
    func etaBeforeToday() {
        for eta in [utc(2025, 6, 14), utc(2025, 6, 14, 23, 59), utc(2025, 6, 1)] {
            #expect(describe(.inTransit, eta: eta) == .late(originallyExpected: eta))
        }
    }

    @Test("The day boundary is the calendar's: 23:30 UTC yesterday is today in UTC+2")
    func usesCalendarTimeZone() {
        let eta = utc(2025, 6, 14, 23, 30)
        let justAfterMidnight = utc(2025, 6, 15, 1)
        let inUTC = DeliveryEstimate.describe(status: .inTransit, eta: eta, deliveredAt: nil, now: justAfterMidnight, calendar: calendar())
        let inBerlin = DeliveryEstimate.describe(
            status: .inTransit, eta: eta, deliveredAt: nil, now: justAfterMidnight, calendar: calendar("Europe/Berlin"))
        #expect(inUTC == .late(originallyExpected: eta))
        #expect(inBerlin == .expected(eta))
    }
}
