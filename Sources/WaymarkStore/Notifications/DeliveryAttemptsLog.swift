import Foundation
import GRDB
import WaymarkCore

/// The attempts logs of a page of deliveries in one query, for the deliveries listing.
extension AppDatabase {
    /// Each delivery's attempts, oldest first, keyed by delivery id. Deliveries of other tenants
    /// and deliveries without attempts are absent.
    public func deliveryAttempts(tenantID: Int64, deliveryIDs: [String]) async throws -> [String: [DeliveryAttempt]] {
        guard !deliveryIDs.isEmpty else { return [:] }
        return try await read { db in
            let attempts = try DeliveryAttemptRecord.fetchAll(db, sql: """
                SELECT a.* FROM delivery_attempt a JOIN delivery d ON d.id = a.delivery_id
                WHERE d.tenant_id = ? AND a.delivery_id IN (SELECT value FROM json_each(?))
                ORDER BY a.attempted_at, a.id
                """, arguments: [tenantID, try JSONText.encode(deliveryIDs)]).map(\.attempt)
            return Dictionary(grouping: attempts, by: \.deliveryID)
        }
    }
}
