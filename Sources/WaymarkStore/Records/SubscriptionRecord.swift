import Foundation
import GRDB
import WaymarkCore

/// A row of `subscription`: an address that hears about one shipment, until it unsubscribes.
/// Rows are written by `INSERT … ON CONFLICT` (subscribing again re-activates); this record reads
/// them back.
struct SubscriptionRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "subscription"

    var id: Int64
    var shipmentID: String
    var channel: NotificationChannel
    var address: String
    var createdAt: Date
    var unsubscribedAt: Date?
    /// Set for every row since `v3-notify`; the column allows NULL only because it was added later.
    var unsubscribeToken: String?

    enum CodingKeys: String, CodingKey {
        case id, shipmentID = "shipment_id", channel, address, createdAt = "created_at", unsubscribedAt = "unsubscribed_at"
        case unsubscribeToken = "unsubscribe_token"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let shipmentID = Column(CodingKeys.shipmentID)
        static let channel = Column(CodingKeys.channel)
        static let address = Column(CodingKeys.address)
        static let createdAt = Column(CodingKeys.createdAt)
        static let unsubscribedAt = Column(CodingKeys.unsubscribedAt)
        static let unsubscribeToken = Column(CodingKeys.unsubscribeToken)
    }

    /// The subscription this row holds, for a shipment of `tenantID`.
    func subscription(tenantID: Int64) throws -> Subscription {
        guard let unsubscribeToken else { throw unreadable(CodingKeys.unsubscribeToken, "no unsubscribe token") }
        return Subscription(
            shipmentID: shipmentID, tenantID: tenantID, channel: channel, address: address, unsubscribeToken: unsubscribeToken,
            unsubscribedAt: unsubscribedAt)
    }
}
