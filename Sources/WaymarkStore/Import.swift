import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Registers a batch of validated shipments in one transaction, one outcome per input in
    /// the same order.
    ///
    /// An import never overwrites: a shipment whose tenant, carrier (`unknown` when none) and
    /// tracking number already exist is left exactly as it is, `updated_at` included, so importing
    /// the same file twice changes nothing. Callers split large files into batches of a few
    /// hundred, which keeps each write short for the server's other writers.
    public func importShipments(tenantID: Int64, _ shipments: [NewShipment], now: Date = Date()) async throws -> [ImportOutcome] {
        try await write { db in
            let existing = try db.cachedStatement(sql: "SELECT * FROM shipment WHERE tenant_id = ? AND carrier = ? AND tracking_number = ?")
            return try shipments.map { new in
                let carrier = new.carrier ?? Shipment.unknownCarrier
                if let record = try ShipmentRecord.fetchFirst(existing, arguments: [tenantID, carrier, new.trackingNumber]) {
                    return .unchanged(try record.shipment())
                }
                return .created(try insertShipment(db, tenantID: tenantID, new, now: now))
            }
        }
    }
}
