import Foundation
import WaymarkCore

/// What one webhook says about one tracking number.
public struct InboundUpdate: Sendable, Equatable {
    /// Normalized: uppercased, without white space.
    public var trackingNumber: String
    /// A `CarrierRegistry` code when the provider's carrier maps to one, else nil.
    public var carrier: String?
    /// Oldest first. `source` is the provider's name; `rawCode` the provider's own status code.
    public var events: [CheckpointEvent]
    /// Midnight UTC of the estimated delivery day, when the provider sends one.
    public var eta: Date?

    public init(trackingNumber: String, carrier: String? = nil, events: [CheckpointEvent] = [], eta: Date? = nil) {
        self.trackingNumber = trackingNumber
        self.carrier = carrier
        self.events = events
        self.eta = eta
    }
}

/// One decoded webhook request.
public struct InboundWebhook: Sendable, Equatable {
    /// The provider's id for this delivery when it has one: the dedupe key across retries.
    public var eventID: String?
    public var updates: [InboundUpdate]

    public init(eventID: String? = nil, updates: [InboundUpdate]) {
        self.eventID = eventID
        self.updates = updates
    }
}
