import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// Registers a validated shipment with a fresh id and tracking token.
    public func createShipment(tenantID: Int64, _ new: NewShipment, now: Date = Date()) async throws -> Shipment {
        try await write { db in try insertShipment(db, tenantID: tenantID, new, now: now) }
    }

    /// The one way a shipment comes into being, for single creates, batches, imports and
    /// auto-created ones alike: a fresh id and tracking token, the row, a subscription for each of
    /// the customer's addresses (when the tenant subscribes contacts), its registration queued at
    /// the tenant's providers (but not at `skipProvider`, the one it came from) and its
    /// `shipment.created` webhooks in the outbox. A duplicate (tenant, carrier, tracking number) is
    /// `StoreError.duplicateShipment` and writes nothing.
    func insertShipment(_ db: Database, tenantID: Int64, _ new: NewShipment, now: Date, skipProvider: String? = nil) throws -> Shipment {
        let shipment = Shipment(
            id: Shipment.newID(), tenantID: tenantID, trackingNumber: new.trackingNumber,
            carrier: new.carrier ?? Shipment.unknownCarrier, orderNumber: new.orderNumber, customer: new.customer,
            destination: new.destination, eta: new.eta, token: SecureToken.trackingToken(), metadata: new.metadata,
            createdAt: now, updatedAt: now)
        do {
            try ShipmentRecord(shipment).insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.duplicateShipment(carrier: shipment.carrier, trackingNumber: shipment.trackingNumber)
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT subscribe_contacts FROM tenant WHERE id = ?"), arguments: [tenantID]) ?? true {
            for (channel, address) in [(NotificationChannel.email, shipment.customer.email), (.sms, shipment.customer.phone)] {
                guard let address else { continue }
                try Self.subscribe(db, shipmentID: shipment.id, channel: channel, address: address, now: now)
            }
        }
        try Self.enqueueRegistrations(db, tenantID: tenantID, shipmentID: shipment.id, skipProvider: skipProvider, now: now)
        try enqueueNotifications(db, tenantID: tenantID, before: nil, after: shipment, now: now)
        return shipment
    }

    public func shipment(tenantID: Int64, id: String) async throws -> TrackedShipment? {
        try await read { db in try Self.tracked(db, where: "tenant_id = ? AND id = ?", [tenantID, id]) }
    }

    /// The shipment behind a shopper's tracking link.
    public func shipment(tenantID: Int64, token: String) async throws -> TrackedShipment? {
        try await read { db in try Self.tracked(db, where: "tenant_id = ? AND token = ?", [tenantID, token]) }
    }

    /// The tenant at `slug` and, when `token` is one of its shipments, that shipment with a
    /// summary of its checkpoints, in one read: enough to tell whether a tracking page rendered
    /// earlier is still right without reading the checkpoints themselves. Nil without the tenant.
    public func trackingPageStamp(slug: String, token: String) async throws -> (Tenant, TrackingPageStamp?)? {
        try await read { db in
            guard let tenant = try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE slug = ?", slug) else { return nil }
            guard let record = try ShipmentRecord.fetchFirst(
                db.cachedStatement(sql: "SELECT * FROM shipment WHERE tenant_id = ? AND token = ?"), arguments: [tenant.id, token])
            else { return (tenant, nil) }
            let shipment = try record.shipment()
            let summary = try CheckpointSummary.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) AS count, max(id) AS newest FROM checkpoint WHERE shipment_id = ?"), arguments: [shipment.id])
            return (tenant, TrackingPageStamp(shipment: shipment, checkpointCount: summary?.count ?? 0, newestCheckpointID: summary?.newest))
        }
    }

    /// A shopper's lookup by order number, proven by the email or postal code given at checkout.
    /// The newest matching shipment wins when an order was split.
    public func lookupShipment(tenantID: Int64, orderNumber: String, email: String?, postalCode: String?) async throws -> Shipment? {
        guard email != nil || postalCode != nil else { return nil }
        return try await read { db in
            try ShipmentRecord.fetchOne(db, sql: """
                SELECT * FROM shipment
                WHERE tenant_id = ? AND order_number = ? COLLATE NOCASE
                  AND (customer_email = ? COLLATE NOCASE OR destination_postal_key = ?)
                ORDER BY created_at DESC LIMIT 1
                """, arguments: [tenantID, orderNumber, email, postalCode.map(Destination.postalLookupKey)])?
            .shipment()
        }
    }

    /// A lookup by tracking number alone (any carrier), newest first.
    public func lookupShipment(tenantID: Int64, trackingNumber: String) async throws -> TrackedShipment? {
        let normalized = trackingNumber.uppercased().filter { $0 != " " }
        return try await read { db in
            try Self.tracked(db, where: "tenant_id = ? AND tracking_number = ? ORDER BY created_at DESC LIMIT 1", [tenantID, normalized])
        }
    }

    /// Up to `limit` shipments of a tenant that can still move, for the demo simulator.
    public func activeShipments(tenantID: Int64, limit: Int = 500) async throws -> [TrackedShipment] {
        try await read { db in
            let records = try ShipmentRecord.fetchAll(db, sql: """
                SELECT * FROM shipment WHERE tenant_id = ? AND status NOT IN ('delivered', 'expired')
                ORDER BY updated_at LIMIT ?
                """, arguments: [tenantID, limit])
            return try records.map { record in
                let shipment = try record.shipment()
                return TrackedShipment(shipment: shipment, checkpoints: try Self.checkpoints(db, shipmentID: shipment.id))
            }
        }
    }

    public func shipmentCount(tenantID: Int64) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM shipment WHERE tenant_id = ?", arguments: [tenantID]) ?? 0 }
    }

    static func tracked(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> TrackedShipment? {
        guard let record = try ShipmentRecord.fetchFirst(db.cachedStatement(sql: "SELECT * FROM shipment WHERE \(condition)"), arguments: arguments)
        else { return nil }
        let shipment = try record.shipment()
        return TrackedShipment(shipment: shipment, checkpoints: try checkpoints(db, shipmentID: shipment.id))
    }

    /// A shipment's checkpoints in the order of `ShipmentStatusRule.timeline`: newest first, the
    /// more advanced status first among events stamped at the same time.
    static func checkpoints(_ db: Database, shipmentID: String) throws -> [Checkpoint] {
        let records = try CheckpointRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM checkpoint WHERE shipment_id = ? ORDER BY occurred_at DESC, id DESC"), arguments: [shipmentID])
        return ShipmentStatusRule.timeline(try records.map { try $0.checkpoint() }, event: \.event)
    }
}

/// How many checkpoints a shipment has and the newest one's id: what tells a cached tracking page
/// it is still right.
private struct CheckpointSummary: Decodable, FetchableRecord {
    var count: Int
    var newest: Int64?
}
