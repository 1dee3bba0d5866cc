import Foundation

/// The body of every webhook Waymark sends, and the snapshot a shopper message is written from.
public struct WebhookEventBody: Codable, Sendable, Equatable {
    public var type: String
    public var timestamp: String
    public var data: ShipmentResource

    package init(type: String, timestamp: String, data: ShipmentResource) {
        self.type = type
        self.timestamp = timestamp
        self.data = data
    }
}
