import Foundation

/// Derives a shipment's status from its checkpoints.
///
/// The status is that of the newest checkpoint *by event time*, never by arrival order: a late
/// "in transit" scan from yesterday cannot move a delivered shipment back. Checkpoints with the
/// same event time resolve to the more advanced status.
public enum ShipmentStatusRule {
    public struct Resolution: Equatable, Sendable {
        public var status: DeliveryStatus
        public var substatus: Substatus?
        public var lastEventAt: Date?
    }

    public static func resolve(_ checkpoints: some Sequence<CheckpointEvent>) -> Resolution {
        guard let newest = newest(of: checkpoints) else {
            return Resolution(status: .pending, substatus: nil, lastEventAt: nil)
        }
        return Resolution(status: newest.status, substatus: newest.substatus, lastEventAt: newest.occurredAt)
    }

    public static func newest(of checkpoints: some Sequence<CheckpointEvent>) -> CheckpointEvent? {
        checkpoints.max(by: isOlder)
    }

    /// Newest first, the order the tracking page shows.
    public static func timeline(_ checkpoints: [CheckpointEvent]) -> [CheckpointEvent] {
        timeline(checkpoints, event: \.self)
    }

    /// Newest first for anything that carries an event; elements that tie keep their order.
    public static func timeline<T>(_ items: [T], event: (T) -> CheckpointEvent) -> [T] {
        items.enumerated().sorted { lhs, rhs in
            let (a, b) = (event(lhs.element), event(rhs.element))
            if isOlder(b, than: a) { return true }
            if isOlder(a, than: b) { return false }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    static func isOlder(_ a: CheckpointEvent, than b: CheckpointEvent) -> Bool {
        if a.occurredAt != b.occurredAt { return a.occurredAt < b.occurredAt }
        return a.status.progressRank < b.status.progressRank
    }
}

extension Shipment {
    /// Takes the status its newest checkpoints resolve to (delivered at the newest event's time,
    /// or not delivered) and, when `eta` is given, that ETA (`.some(nil)` clears it), as of `now`.
    /// Both stores apply checkpoints this way.
    public mutating func settle(_ resolution: ShipmentStatusRule.Resolution, eta: Date??, now: Date) {
        status = resolution.status
        substatus = resolution.substatus
        lastEventAt = resolution.lastEventAt
        deliveredAt = resolution.status == .delivered ? resolution.lastEventAt : nil
        if let eta { self.eta = eta }
        updatedAt = now
    }
}
