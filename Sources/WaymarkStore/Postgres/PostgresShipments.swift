import Foundation
import PostgresNIO
import WaymarkCore

// Shipments on PostgreSQL: the same promises as `Shipments.swift`, `ShipmentQueries.swift` and
// `Import.swift` for SQLite.

extension PostgresStore: ShipmentStore {
    public func createShipment(tenantID: Int64, _ new: NewShipment, now: Date) async throws -> Shipment {
        try await transaction { c in try await self.insertShipment(c, tenantID: tenantID, new, now: now) }
    }

    /// The one way a shipment comes into being (see `AppDatabase.insertShipment`): the row, its
    /// contacts' subscriptions, its registrations and its `shipment.created` webhooks. A known
    /// (tenant, carrier, tracking number) is `StoreError.duplicateShipment`; the caller's
    /// transaction (or savepoint) must then be rolled back, as PostgreSQL ends it.
    func insertShipment(
        _ c: PostgresConnection, tenantID: Int64, _ new: NewShipment, now: Date, skipProvider: String? = nil, batch: PostgresBatch = PostgresBatch()
    ) async throws -> Shipment {
        let shipment = Shipment(
            id: Shipment.newID(), tenantID: tenantID, trackingNumber: new.trackingNumber,
            carrier: new.carrier ?? Shipment.unknownCarrier, orderNumber: new.orderNumber, customer: new.customer,
            destination: new.destination, eta: new.eta, token: SecureToken.trackingToken(), metadata: new.metadata,
            createdAt: now, updatedAt: now)
        let inserted = try await c.run(try ShipmentRecord(shipment).postgresInsert("ON CONFLICT (tenant_id, carrier, tracking_number) DO NOTHING RETURNING 1"))
            .value(Int32.self)
        guard inserted != nil else {
            throw StoreError.duplicateShipment(carrier: shipment.carrier, trackingNumber: shipment.trackingNumber)
        }
        let subscribeContacts = try await batch.once("subscribe contacts \(tenantID)") {
            try await c.run("SELECT subscribe_contacts FROM tenant WHERE id = \(tenantID)").value(Bool.self) ?? true
        }
        if subscribeContacts {
            for (channel, address) in [(NotificationChannel.email, shipment.customer.email), (.sms, shipment.customer.phone)] {
                guard let address else { continue }
                try await c.run("""
                    INSERT INTO subscription (shipment_id, channel, address, created_at, unsubscribe_token)
                    VALUES (\(shipment.id), \(channel.rawValue), \(address), \(now), \(SecureToken.random(byteCount: 18)))
                    ON CONFLICT (shipment_id, channel, address) DO UPDATE SET unsubscribed_at = NULL
                    """)
            }
        }
        let registers = try await batch.once("registering providers \(tenantID)") {
            try await c.run("SELECT count(*) FROM provider_account WHERE tenant_id = \(tenantID) AND register").value(Int.self) ?? 0
        }
        if registers > 0 {
            try await Self.enqueueRegistrations(c, tenantID: tenantID, shipmentID: shipment.id, skipProvider: skipProvider, now: now)
        }
        try await enqueueNotifications(c, tenantID: tenantID, before: nil, after: shipment, now: now, batch: batch)
        return shipment
    }

    public func createShipments(tenantID: Int64, _ drafts: [NewShipment], now: Date) async throws -> [Result<Shipment, StoreError>] {
        try await transaction { c in
            var results: [Result<Shipment, StoreError>] = []
            for draft in drafts {
                // A savepoint per item, so a failed one leaves no trace and the rest commit.
                try await c.run("SAVEPOINT draft")
                do {
                    results.append(.success(try await self.insertShipment(c, tenantID: tenantID, draft, now: now)))
                    try await c.run("RELEASE SAVEPOINT draft")
                } catch let error as StoreError {
                    try await c.run("ROLLBACK TO SAVEPOINT draft")
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    public func importShipments(tenantID: Int64, _ shipments: [NewShipment], now: Date) async throws -> [ImportOutcome] {
        try await transaction { c in
            var outcomes: [ImportOutcome] = []
            let batch = PostgresBatch()
            for new in shipments {
                // Inserted first (one statement for a new number, the usual case); a known one
                // is read back as it stands.
                do {
                    outcomes.append(.created(try await self.insertShipment(c, tenantID: tenantID, new, now: now, batch: batch)))
                } catch StoreError.duplicateShipment {
                    let carrier = new.carrier ?? Shipment.unknownCarrier
                    guard let record = try await c.run("""
                        SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND carrier = \(carrier) AND tracking_number = \(new.trackingNumber)
                        """).record(ShipmentRecord.self)
                    else { throw StoreError.shipmentNotFound }
                    outcomes.append(.unchanged(try record.shipment()))
                }
            }
            return outcomes
        }
    }

    public func shipment(tenantID: Int64, id: String) async throws -> TrackedShipment? {
        try await run { c in try await Self.tracked(c, "SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND id = \(id)") }
    }

    public func shipment(tenantID: Int64, token: String) async throws -> TrackedShipment? {
        try await replicaRead { c in try await Self.tracked(c, "SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND token = \(token)") }
    }

    public func trackingPageStamp(slug: String, token: String) async throws -> (Tenant, TrackingPageStamp?)? {
        try await replicaRead { c in
            guard let tenant = try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE slug = \(slug)") else { return nil }
            guard let record = try await c.run("SELECT * FROM shipment WHERE tenant_id = \(tenant.id) AND token = \(token)").record(ShipmentRecord.self)
            else { return (tenant, nil) }
            let shipment = try record.shipment()
            for try await (count, newest) in try await c.run(
                "SELECT count(*), max(id) FROM checkpoint WHERE shipment_id = \(shipment.id)").decode((Int, Int64?).self)
            {
                return (tenant, TrackingPageStamp(shipment: shipment, checkpointCount: count, newestCheckpointID: newest))
            }
            return (tenant, TrackingPageStamp(shipment: shipment, checkpointCount: 0, newestCheckpointID: nil))
        }
    }

    /// Other nodes' writes are not seen here, so no count stays put: every call returns a new
    /// number, and nothing read at one count is reused (tracking pages are rendered afresh).
    public var localCommits: UInt64 { commitReads }

    public func lookupShipment(tenantID: Int64, orderNumber: String, email: String?, postalCode: String?) async throws -> Shipment? {
        guard email != nil || postalCode != nil else { return nil }
        let postalKey = postalCode.map(Destination.postalLookupKey)
        return try await replicaRead { c in
            try await c.run("""
                SELECT * FROM shipment
                WHERE tenant_id = \(tenantID) AND lower(order_number) = lower(\(orderNumber))
                  AND (lower(customer_email) = lower(\(email)) OR destination_postal_key = \(postalKey))
                ORDER BY created_at DESC LIMIT 1
                """).record(ShipmentRecord.self)?.shipment()
        }
    }

    public func lookupShipment(tenantID: Int64, trackingNumber: String) async throws -> TrackedShipment? {
        let normalized = trackingNumber.uppercased().filter { $0 != " " }
        return try await replicaRead { c in
            try await Self.tracked(c, "SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND tracking_number = \(normalized) ORDER BY created_at DESC LIMIT 1")
        }
    }

    public func activeShipments(tenantID: Int64, limit: Int) async throws -> [TrackedShipment] {
        try await run { c in
            let records = try await c.run("""
                SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND status NOT IN ('delivered', 'expired') ORDER BY updated_at LIMIT \(limit)
                """).records(ShipmentRecord.self)
            var tracked: [TrackedShipment] = []
            for record in records {
                let shipment = try record.shipment()
                tracked.append(TrackedShipment(shipment: shipment, checkpoints: try await Self.checkpoints(c, shipmentID: shipment.id)))
            }
            return tracked
        }
    }

    public func shipmentCount(tenantID: Int64) async throws -> Int {
        try await run { c in try await c.run("SELECT count(*) FROM shipment WHERE tenant_id = \(tenantID)").value(Int.self) ?? 0 }
    }

    public func listShipments(
        tenantID: Int64, filter: ShipmentFilter, limit: Int, after cursor: ShipmentCursor?
    ) async throws -> (page: [TrackedShipment], next: ShipmentCursor?) {
        var query = FilteredQuery("SELECT * FROM shipment WHERE tenant_id = ", tenantID)
        query.sql += filter.archived ? " AND archived_at IS NOT NULL" : " AND archived_at IS NULL"
        if let status = filter.status { query.add(" AND status = ", status.rawValue) }
        if let carrier = filter.carrier { query.add(" AND carrier = ", carrier.lowercased()) }
        if let number = filter.trackingNumber { query.add(" AND tracking_number = ", TrackingUpdate.normalize(number)) }
        if let order = filter.orderNumber { query.add(" AND lower(order_number) = lower(", order, ")") }
        if let email = filter.email { query.add(" AND lower(customer_email) = lower(", email, ")") }
        if let after = filter.createdAfter { query.add(" AND created_at >= ", after) }
        if let before = filter.createdBefore { query.add(" AND created_at < ", before) }
        if let cursor {
            query.add(" AND (created_at < ", cursor.createdAt, "")
            query.add(" OR (created_at = ", cursor.createdAt, "")
            query.add(" AND id < ", cursor.id, "))")
        }
        query.add(" ORDER BY created_at DESC, id DESC LIMIT ", limit + 1)
        let statement = query.query
        return try await run { c in
            var shipments = try await c.run(statement).records(ShipmentRecord.self).map { try $0.shipment() }
            let more = shipments.count > limit
            if more { shipments.removeLast() }
            let checkpoints = try await Self.checkpoints(c, shipmentIDs: shipments.map(\.id))
            let page = shipments.map { TrackedShipment(shipment: $0, checkpoints: checkpoints[$0.id] ?? []) }
            let next = more ? shipments.last.map { ShipmentCursor(createdAt: $0.createdAt, id: $0.id) } : nil
            return (page, next)
        }
    }

    public func updateShipmentDetails(tenantID: Int64, id: String, _ details: ShipmentDetails, now: Date) async throws -> TrackedShipment? {
        let metadata = try JSONText.encode(details.metadata)
        return try await transaction { c in
            var found = false
            var wasArchived: Date?
            for try await archivedAt in try await c.run(
                "SELECT archived_at FROM shipment WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE").decode(Date?.self)
            {
                (found, wasArchived) = (true, archivedAt)
            }
            guard found else { return nil }
            let archivedAt: Date? = details.archived ? (wasArchived ?? now) : nil
            try await c.run("""
                UPDATE shipment SET order_number = \(details.orderNumber), customer_name = \(details.customer.name),
                    customer_email = \(details.customer.email), customer_phone = \(details.customer.phone),
                    customer_locale = \(details.customer.locale), destination_city = \(details.destination.city),
                    destination_region = \(details.destination.region), destination_postal_code = \(details.destination.postalCode),
                    destination_postal_key = \(details.destination.postalCode.map(Destination.postalLookupKey)),
                    destination_country = \(details.destination.country), metadata = \(metadata), archived_at = \(archivedAt), updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                """)
            return try await Self.tracked(c, "SELECT * FROM shipment WHERE tenant_id = \(tenantID) AND id = \(id)")
        }
    }

    public func isArchived(tenantID: Int64, id: String) async throws -> Bool {
        try await run { c in
            try await c.run("SELECT archived_at IS NOT NULL FROM shipment WHERE tenant_id = \(tenantID) AND id = \(id)").value(Bool.self) ?? false
        }
    }

    public func deleteShipment(tenantID: Int64, id: String) async throws -> Bool {
        try await run { c in
            try await c.run("DELETE FROM shipment WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING 1").value(Int32.self) != nil
        }
    }

    /// The shipment the query selects (`SELECT * FROM shipment …`) with its checkpoints.
    static func tracked(_ c: PostgresConnection, _ query: PostgresQuery) async throws -> TrackedShipment? {
        guard let record = try await c.run(query).record(ShipmentRecord.self) else { return nil }
        let shipment = try record.shipment()
        return TrackedShipment(shipment: shipment, checkpoints: try await checkpoints(c, shipmentID: shipment.id))
    }

    static func checkpoints(_ c: PostgresConnection, shipmentIDs: [String]) async throws -> [String: [Checkpoint]] {
        guard !shipmentIDs.isEmpty else { return [:] }
        let records = try await c.run("SELECT * FROM checkpoint WHERE shipment_id = ANY(\(shipmentIDs)) ORDER BY occurred_at DESC, id DESC")
            .records(CheckpointRecord.self)
        let grouped = Dictionary(grouping: try records.map { try $0.checkpoint() }, by: \.shipmentID)
        return grouped.mapValues { ShipmentStatusRule.timeline($0, event: \.event) }
    }
}

/// A statement put together from optional conditions, each value bound as `$n`.
struct FilteredQuery {
    var sql: String
    private var bindings = PostgresBindings()

    init(_ start: String, _ value: some PostgresDynamicTypeEncodable & PostgresNonThrowingEncodable) {
        sql = start
        add("", value)
    }

    mutating func add(_ before: String, _ value: some PostgresDynamicTypeEncodable & PostgresNonThrowingEncodable, _ after: String = "") {
        bindings.append(value)
        sql += "\(before)$\(bindings.count)\(after)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
