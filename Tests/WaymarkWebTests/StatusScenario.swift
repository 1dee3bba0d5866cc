import Foundation
import WaymarkCore
import WaymarkStore

/// A shipment in each status as the page and message snapshots show it: the newest checkpoint
/// a carrier typically sends for that status, and the journey before it. Every time is relative
/// to `Fixture.now` and carries its own UTC offset, so nothing depends on the clock or on the
/// machine's time zone.
struct StatusScenario {
    let status: DeliveryStatus
    let message: String
    let substatus: Substatus?

    init(_ status: DeliveryStatus) {
        self.status = status
        switch status {
        case .pending: (message, substatus) = ("Awaiting the carrier's first scan", nil)
        case .infoReceived: (message, substatus) = ("Shipping label created", nil)
        case .inTransit: (message, substatus) = ("Arrived at facility", Substatus(status: .inTransit, reason: "arrived"))
        case .outForDelivery: (message, substatus) = ("Out for delivery", nil)
        case .availableForPickup: (message, substatus) = ("Ready for pickup at UPS Access Point", nil)
        case .attemptFail:
            (message, substatus) = ("Delivery attempted, nobody home", Substatus(status: .attemptFail, reason: "recipient_unavailable"))
        case .delivered: (message, substatus) = ("Delivered to neighbour", Substatus(status: .delivered, reason: "left_with_neighbor"))
        case .exception: (message, substatus) = ("Held at customs", Substatus(status: .exception, reason: "customs_hold"))
        case .expired: (message, substatus) = ("No further updates from the carrier", nil)
        }
    }

    /// 2026-11-30: the carrier's estimate, three days after `Fixture.now`.
    static let eta = Date(timeIntervalSince1970: 1_795_996_800)
    /// 2026-11-25: an estimate whose day has passed, shown as late.
    static let missedETA = Date(timeIntervalSince1970: 1_795_996_800 - 5 * 86_400)

    /// The shipment the tracking page shows in this status: token, ids and times fixed. A
    /// pending shipment has no checkpoint yet; the others have the journey up to their own.
    func tracked() -> TrackedShipment {
        let newest = CheckpointEvent(
            occurredAt: Fixture.now.addingTimeInterval(-2 * 3_600), utcOffsetSeconds: -5 * 3_600, status: status, substatus: substatus,
            message: message, location: Place(city: "Brooklyn", region: "NY", country: "US"), source: "test")
        let events = status == .pending ? [] : [newest] + Self.before(status)
        let shipment = Shipment(
            id: "shp_snapshot", tenantID: 1, trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "ACME-1001",
            destination: Destination(city: "Brooklyn", region: "NY", postalCode: "11201", country: "US"), status: status,
            substatus: substatus, eta: status == .exception ? Self.missedETA : (status == .pending ? nil : Self.eta),
            deliveredAt: status == .delivered ? newest.occurredAt : nil, lastEventAt: events.first?.occurredAt,
            token: "SNAPSHOTTOKENSNAPSHOTTOK", createdAt: Fixture.now.addingTimeInterval(-5 * 86_400), updatedAt: Fixture.now)
        return TrackedShipment(
            shipment: shipment,
            checkpoints: events.enumerated().map { Checkpoint(id: Int64($0.offset), shipmentID: shipment.id, event: $0.element, recordedAt: Fixture.now) })
    }

    /// The checkpoints before the newest one, newest first.
    private static func before(_ status: DeliveryStatus) -> [CheckpointEvent] {
        let labelCreated = CheckpointEvent(
            occurredAt: Fixture.now.addingTimeInterval(-4 * 86_400), utcOffsetSeconds: -8 * 3_600, status: .infoReceived,
            message: "Shipping label created", location: Place(city: "Los Angeles", region: "CA", country: "US"), source: "test")
        let departed = CheckpointEvent(
            occurredAt: Fixture.now.addingTimeInterval(-3 * 86_400), utcOffsetSeconds: -8 * 3_600, status: .inTransit,
            substatus: Substatus(status: .inTransit, reason: "departed"), message: "Departed facility",
            location: Place(city: "Los Angeles", region: "CA", country: "US"), source: "test")
        let arrived = CheckpointEvent(
            occurredAt: Fixture.now.addingTimeInterval(-86_400), utcOffsetSeconds: -5 * 3_600, status: .inTransit,
            substatus: Substatus(status: .inTransit, reason: "arrived"), message: "Arrived at facility",
            location: Place(city: "Secaucus", region: "NJ", country: "US"), source: "test")
        let outForDelivery = CheckpointEvent(
            occurredAt: Fixture.now.addingTimeInterval(-6 * 3_600), utcOffsetSeconds: -5 * 3_600, status: .outForDelivery,
            message: "Out for delivery", location: Place(city: "Brooklyn", region: "NY", country: "US"), source: "test")
        switch status {
        case .pending, .infoReceived: return []
        case .inTransit: return [departed, labelCreated]
        case .outForDelivery, .availableForPickup, .exception, .expired: return [arrived, departed, labelCreated]
        case .attemptFail, .delivered: return [outForDelivery, arrived, departed, labelCreated]
        }
    }
}
