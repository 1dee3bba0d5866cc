import Foundation
import GRDB
import WaymarkCore

/// Who is subscribed to one shipment: for the admin's shipment page and for tests that need a
/// subscription's unsubscribe token.
extension AppDatabase {
    /// The shipment's subscriptions, unsubscribed ones included, oldest first; empty when the
    /// tenant has no such shipment.
    public func subscriptions(tenantID: Int64, shipmentID: String) async throws -> [Subscription] {
        try await read { db in
            try SubscriptionRecord.fetchAll(db, sql: """
                SELECT s.* FROM subscription s JOIN shipment h ON h.id = s.shipment_id
                WHERE h.tenant_id = ? AND s.shipment_id = ? ORDER BY s.id
                """, arguments: [tenantID, shipmentID])
            .map { try $0.subscription(tenantID: tenantID) }
        }
    }
}
