import Foundation
import Testing
import WaymarkCore

@Suite("ShipmentStatusRule")
struct ShipmentStatusRuleTests {
    @Test("Status is that of the newest checkpoint by event time, not by array order")
    func newestByEventTime() {
        let events = [checkpoint(300, .outForDelivery), checkpoint(100, .infoReceived), checkpoint(200, .inTransit)]
        for order in [events, events.reversed(), [events[1], events[0], events[2]]] {
            let resolution = ShipmentStatusRule.resolve(order)
            #expect(resolution.status == .outForDelivery)
            #expect(resolution.lastEventAt == referenceDate.addingTimeInterval(300))
        }
    }

    @Test("A late, older in_transit event does not move a delivered shipment back")
    func lateOlderEventIgnored() {
        let delivered = checkpoint(500, .delivered, substatus: Substatus(status: .delivered, reason: "left_with_neighbor"))
        let resolution = ShipmentStatusRule.resolve([checkpoint(100, .infoReceived), delivered, checkpoint(200, .inTransit)])
        #expect(resolution.status == .delivered)
        #expect(resolution.substatus == Substatus(status: .delivered, reason: "left_with_neighbor"))
        #expect(resolution.lastEventAt == referenceDate.addingTimeInterval(500))
    }

    @Test("Checkpoints at the same time resolve to the more advanced status, in any order")
    func tiesResolveToMoreAdvanced() {
        let pairs: [(DeliveryStatus, DeliveryStatus, DeliveryStatus)] = [
            (.delivered, .outForDelivery, .delivered),
            (.inTransit, .exception, .exception),
            (.infoReceived, .inTransit, .inTransit),
            (.attemptFail, .outForDelivery, .outForDelivery),
        ]
        for (a, b, expected) in pairs {
            #expect(ShipmentStatusRule.resolve([checkpoint(100, a), checkpoint(100, b)]).status == expected)
            #expect(ShipmentStatusRule.resolve([checkpoint(100, b), checkpoint(100, a)]).status == expected)
        }
    }

    @Test("No checkpoints means pending")
    func emptyIsPending() {
        let resolution = ShipmentStatusRule.resolve([CheckpointEvent]())
        #expect(resolution.status == .pending)
        #expect(resolution.substatus == nil)
        #expect(resolution.lastEventAt == nil)
        #expect(ShipmentStatusRule.newest(of: [CheckpointEvent]()) == nil)
    }

    @Test("The timeline is newest first, same-time events with the more advanced one on top")
    func timelineNewestFirst() {
        let events = [
            checkpoint(200, .inTransit, "b"), checkpoint(100, .infoReceived, "a"), checkpoint(400, .outForDelivery, "d"),
            checkpoint(400, .delivered, "e"), checkpoint(300, .inTransit, "c"),
        ]
        #expect(ShipmentStatusRule.timeline(events).map(\.message) == ["e", "d", "c", "b", "a"])
        #expect(ShipmentStatusRule.timeline(events.reversed()).map(\.message) == ["e", "d", "c", "b", "a"])
    }
}
