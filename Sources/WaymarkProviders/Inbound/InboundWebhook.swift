import Foundation
import WaymarkCore

/// What one webhook says about one tracking number: the domain's `TrackingUpdate`, the same value
/// the API's events endpoint and the simulator record. Events are oldest first; `source` is the
/// provider's name and `rawCode` its own status code.
public typealias InboundUpdate = TrackingUpdate

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
