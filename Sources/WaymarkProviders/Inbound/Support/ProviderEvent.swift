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
    /// Most providers also state the tracking's current status beside its events (`stated`).
    /// That statement is the provider's own reading of the events and wins:
    /// - the newest event with no status of its own takes it (older ones without a status are
    ///   history the parcel has moved on from, kept as `in_transit` with no raw code);
    /// - when the newest event has a status that disagrees (events out of time order, a stage that
    ///   lags the provider's verdict), the statement becomes an event of its own, just after the
    ///   newest event (or at its own time when later), so the shipment takes the stated status
    ///   while any later scan still moves it on and no older event can undo it;
    /// - with no events at all, it becomes an event at its own time when it has one.
    /// A stated `pending` adds nothing.
    static func checkpoints(_ events: [ProviderEvent], stated: StatedStatus? = nil, source: ProviderName) -> [CheckpointEvent] {
        var ordered = events.enumerated().sorted { lhs, rhs in
            lhs.element.time.date != rhs.element.time.date ? lhs.element.time.date < rhs.element.time.date : lhs.offset < rhs.offset
        }.map(\.element)
        if let stated {
            if let last = ordered.indices.last, ordered[last].meaning == nil {
                (ordered[last].meaning, ordered[last].rawCode) = (stated.meaning, stated.rawCode)
            } else if let summary = stated.event(after: ordered.last) {
                ordered.append(summary)
            }
        }
        var result: [CheckpointEvent] = []
        for event in ordered {
            let meaning = event.meaning ?? StatusMeaning(.inTransit)
            let checkpoint = CheckpointEvent(
                occurredAt: event.time.date, utcOffsetSeconds: event.time.utcOffsetSeconds, status: meaning.status,
                substatus: meaning.substatus, message: event.message.trimmingWhitespace, location: event.place,
                source: source.rawValue, rawCode: event.rawCode)
            if !result.contains(checkpoint) { result.append(checkpoint) }
        }
        return result
    }
}

/// A provider's statement of a tracking's current status, beside its events: AfterShip's `tag`,
/// EasyPost's `result.status`, 17TRACK's `latest_status`, Shippo's `tracking_status`, Track123's
/// `transitStatus`.
struct StatedStatus: Sendable {
    var meaning: StatusMeaning
    var rawCode: String?
    var message: String = ""
    /// When the provider says the status held, if it says so.
    var time: EventTime?

    init?(_ meaning: StatusMeaning, rawCode: String?, message: String? = nil, time: EventTime? = nil) {
        // No code at all means the provider stated nothing.
        guard let rawCode, !rawCode.isEmpty else { return nil }
        self.meaning = meaning
        self.rawCode = rawCode
        self.message = message ?? ""
        self.time = time
    }

    /// The event that records this statement after `newest`, or nil when `newest` already says
    /// it or there is nothing to date it by.
    func event(after newest: ProviderEvent?) -> ProviderEvent? {
        guard meaning.status != .pending, newest?.meaning?.status != meaning.status else { return nil }
        let eventTime: EventTime
        if let time, time.date > (newest?.time.date ?? .distantPast) {
            eventTime = time
        } else if let newest {
            // One millisecond on: after the newest event, so ties between checkpoints of the same
            // instant (resolved by progress) cannot hide the statement, and before any later scan.
            eventTime = EventTime(
                date: newest.time.date.addingTimeInterval(0.001), utcOffsetSeconds: newest.time.utcOffsetSeconds, day: newest.time.day)
        } else {
            return nil
        }
        return ProviderEvent(time: eventTime, meaning: meaning, rawCode: rawCode, message: message, place: Place())
    }
}

extension TrackingNumber {
    /// The number in the stored form (`TrackingNumber.compact`), or `malformed` when the field is
    /// missing. Whether it is a valid number is decided where it is applied, per number, so one bad
    /// number in a batch is skipped with its reason instead of refusing the others.
    static func required(_ text: String?, field: String, provider: ProviderName) throws(InboundError) -> String {
        let number = compact(text ?? "")
        guard !number.isEmpty else { throw .malformed("\(provider.rawValue) webhook body: \(field) is required") }
        return number
    }
}
