import Foundation

/// What a carrier feed says about one tracking number: its events and, when known, the ETA.
/// Provider webhooks, the API's events endpoint and the demo simulator all produce these, and
/// the store records them through one path.
public struct TrackingUpdate: Sendable, Equatable {
    /// Normalized: uppercase, no spaces.
    public var trackingNumber: String
    /// A `CarrierRegistry` code when the feed names a carrier Waymark knows.
    public var carrier: String?
    public var events: [CheckpointEvent]
    /// Midnight UTC of the estimated delivery day.
    public var eta: Date?

    public init(trackingNumber: String, carrier: String? = nil, events: [CheckpointEvent] = [], eta: Date? = nil) {
        self.trackingNumber = Self.normalize(trackingNumber)
        self.carrier = carrier
        self.events = events
        self.eta = eta
    }

    /// The form tracking numbers are stored and compared in.
    public static func normalize(_ number: String) -> String { TrackingNumber.compact(number) }
}
