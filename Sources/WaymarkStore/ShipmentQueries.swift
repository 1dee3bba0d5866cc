import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// One page of a tenant's shipments matching `filter`, newest first, with their checkpoints.
    public func listShipments(
        tenantID: Int64, filter: ShipmentFilter, limit: Int, after cursor: ShipmentCursor?
    ) async throws -> (page: [TrackedShipment], next: ShipmentCursor?) {
        var conditions = ["tenant_id = ?", filter.archived ? "archived_at IS NOT NULL" : "archived_at IS NULL"]
        var arguments: [(any DatabaseValueConvertible)?] = [tenantID]
        func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
            conditions.append(condition)
            arguments.append(value)
        }
        if let status = filter.status { add("status = ?", status.rawValue) }
        if let carrier = filter.carrier { add("carrier = ?", carrier.lowercased()) }
        if let number = filter.trackingNumber { add("tracking_number = ?", TrackingUpdate.normalize(number)) }
        if let order = filter.orderNumber { add("order_number = ? COLLATE NOCASE", order) }
        if let email = filter.email { add("customer_email = ? COLLATE NOCASE", email) }
        if let after = filter.createdAfter { add("created_at >= ?", after) }
        if let before = filter.createdBefore { add("created_at < ?", before) }
        if let cursor {
            conditions.append("(created_at < ? OR (created_at = ? AND id < ?))")
            arguments += [cursor.createdAt, cursor.createdAt, cursor.id]
        }
        let sql = "SELECT * FROM shipment WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments.append(limit + 1)
        let statementArguments = StatementArguments(arguments)
        return try await read { db in
            var shipments = try ShipmentRecord.fetchAll(db, sql: sql, arguments: statementArguments).map { try $0.shipment() }
            let more = shipments.count > limit
            if more { shipments.removeLast() }
            let checkpoints = try Self.checkpoints(db, shipmentIDs: shipments.map(\.id))
            let page = shipments.map { TrackedShipment(shipment: $0, checkpoints: checkpoints[$0.id] ?? []) }
            let next = more ? shipments.last.map { ShipmentCursor(createdAt: $0.createdAt, id: $0.id) } : nil
            return (page, next)
        }
    }

    /// Registers many shipments in one transaction; each either succeeds or fails alone.
    public func createShipments(tenantID: Int64, _ drafts: [NewShipment], now: Date = Date()) async throws -> [Result<Shipment, StoreError>] {
        try await write { db in
            try drafts.map { draft in
                do {
                    // A savepoint per item, so a failed one leaves no trace and the rest commit.
                    var created: Shipment?
                    try db.inSavepoint {
                        created = try insertShipment(db, tenantID: tenantID, draft, now: now)
                        return .commit
                    }
                    guard let created else { throw StoreError.shipmentNotFound }
                    return .success(created)
                } catch let error as StoreError {
                    return .failure(error)
                }
            }
        }
    }

    /// Replaces a shipment's changeable details; nil when it is not this tenant's.
    public func updateShipmentDetails(
        tenantID: Int64, id: String, _ details: ShipmentDetails, now: Date = Date()
    ) async throws -> TrackedShipment? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT archived_at FROM shipment WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) else {
                return nil
            }
            let wasArchived: Date? = try ShipmentRecord.value(ShipmentRecord.Columns.archivedAt, in: row, id: id)
            let archivedAt: Date? = details.archived ? (wasArchived ?? now) : nil
            try db.execute(sql: """
                UPDATE shipment SET order_number = ?, customer_name = ?, customer_email = ?, customer_phone = ?, customer_locale = ?,
                    destination_city = ?, destination_region = ?, destination_postal_code = ?, destination_postal_key = ?,
                    destination_country = ?, metadata = ?, archived_at = ?, updated_at = ?
                WHERE tenant_id = ? AND id = ?
                """, arguments: [
                    details.orderNumber, details.customer.name, details.customer.email, details.customer.phone, details.customer.locale,
                    details.destination.city, details.destination.region, details.destination.postalCode,
                    details.destination.postalCode.map(Destination.postalLookupKey), details.destination.country,
                    try JSONText.encode(details.metadata), archivedAt, now, tenantID, id,
                ])
            return try Self.tracked(db, where: "tenant_id = ? AND id = ?", [tenantID, id])
        }
    }

    /// Whether the shipment is archived.
    public func isArchived(tenantID: Int64, id: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT archived_at IS NOT NULL FROM shipment WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) ?? false
        }
    }

    /// Deletes a shipment with its checkpoints and subscriptions; false when it is not this tenant's.
    public func deleteShipment(tenantID: Int64, id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM shipment WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            return db.changesCount > 0
        }
    }

    static func checkpoints(_ db: Database, shipmentIDs: [String]) throws -> [String: [Checkpoint]] {
        guard !shipmentIDs.isEmpty else { return [:] }
        let marks = shipmentIDs.map { _ in "?" }.joined(separator: ", ")
        let records = try CheckpointRecord.fetchAll(
            db, sql: "SELECT * FROM checkpoint WHERE shipment_id IN (\(marks)) ORDER BY occurred_at DESC, id DESC",
            arguments: StatementArguments(shipmentIDs))
        let grouped = Dictionary(grouping: try records.map { try $0.checkpoint() }, by: \.shipmentID)
        return grouped.mapValues { ShipmentStatusRule.timeline($0, event: \.event) }
    }
}
