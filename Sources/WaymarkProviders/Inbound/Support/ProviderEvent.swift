import Foundation
import WaymarkCore

/// One checkpoint as a provider reported it, before it becomes a `CheckpointEvent`.
struct ProviderEvent: Sendable {
    var time: EventTime
    /// Nil when the provider gives this event no status of its own (Track123's help-centre
    /// shape, 17TRACK events without a stage): `ProviderEvent.checkpoints` decides then.
    var meaning: StatusMeaning?
    var rawCode: String?
    var message: String
    var place: Place

    /// The checkpoints of one update, oldest first, with exact repeats removed.
    ///
    /// Some providers give a status only for the shipment as a whole (`current`). It belongs to the
    /// newest event when that event has no status of its own; older events without one are
    /// history the parcel has moved on from, kept as `in_transit` with no raw code.
    static func checkpoints(
        _ events: [ProviderEvent], current: (meaning: StatusMeaning, rawCode: String?)? = nil, source: ProviderName
    ) -> [CheckpointEvent] {
        let ordered = events.enumerated().sorted { lhs, rhs in
            lhs.element.time.date != rhs.element.time.date ? lhs.element.time.date < rhs.element.time.date : lhs.offset < rhs.offset
        }.map(\.element)
        var result: [CheckpointEvent] = []
        for (index, event) in ordered.enumerated() {
            let meaning: StatusMeaning
            var rawCode = event.rawCode
            if let own = event.meaning {
                meaning = own
            } else if index == ordered.count - 1, let current {
                (meaning, rawCode) = (current.meaning, current.rawCode)
            } else {
                meaning = StatusMeaning(.inTransit)
            }
            let checkpoint = CheckpointEvent(
                occurredAt: event.time.date, utcOffsetSeconds: event.time.utcOffsetSeconds, status: meaning.status,
                substatus: meaning.substatus, message: event.message.trimmingWhitespace, location: event.place,
                source: source.rawValue, rawCode: rawCode)
            if !result.contains(checkpoint) { result.append(checkpoint) }
        }
        return result
    }
}

/// A tracking number as Waymark stores it: uppercase, without white space.
enum TrackingNumber {
    static func normalized(_ text: String?, field: String, provider: ProviderName) throws(InboundError) -> String {
        let number = (text ?? "").filter { !$0.isWhitespace }.uppercased()
        guard !number.isEmpty else { throw .malformed("\(provider.rawValue) webhook body: \(field) is required") }
        return number
    }
}
