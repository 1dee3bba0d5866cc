import Foundation
import GRDB
import Testing
import WaymarkCore
import WaymarkStore

/// A value the store cannot read back is an error that says where it is (table, column, row),
/// never a default and never a crash. The bad values are written behind the store's back, with
/// the schema's CHECK constraints switched off, as a hand edit or a broken release would.
@Suite("Unreadable rows")
struct UnreadableRowTests {
    @Test("A checkpoint with an unknown status fails the shipment's read, naming checkpoint.status and the row")
    func badCheckpointStatus() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        let checkpointID = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.checkpoints.first?.id)
        try await rawWrite(database, "UPDATE checkpoint SET status = 'teleported' WHERE id = ?", [checkpointID])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.shipment(tenantID: tenant.id, id: shipment.id)
        }

        #expect(error?.table == "checkpoint")
        #expect(error?.column == "status")
        #expect(error?.rowID == "\(checkpointID)")
        let message = error.map(String.init(describing:)) ?? ""
        #expect(message.contains("checkpoint") && message.contains("status") && message.contains("\(checkpointID)"), "\(message)")
        #expect(message.contains("teleported"))
    }

    @Test("A shipment with an unknown status fails every read of it, ingest included")
    func badShipmentStatus() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        try await rawWrite(database, "UPDATE shipment SET status = 'lost_in_space' WHERE id = ?", [shipment.id])

        let read = await #expect(throws: StoredValueError.self) {
            try await database.shipment(tenantID: tenant.id, token: shipment.token)
        }
        let ingest = await #expect(throws: StoredValueError.self) {
            try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(7_200, .delivered)])
        }

        for error in [read, ingest] {
            #expect(error?.table == "shipment")
            #expect(error?.column == "status")
            #expect(error?.rowID == shipment.id)
        }
    }

    @Test("A substatus that does not belong to its row's status is an error, not dropped")
    func mismatchedSubstatus() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        try await rawWrite(database, "UPDATE shipment SET substatus = 'delivered.left_with_neighbor' WHERE id = ?", [shipment.id])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.shipment(tenantID: tenant.id, id: shipment.id)
        }

        #expect(error?.table == "shipment")
        #expect(error?.column == "substatus")
        #expect(error?.rowID == shipment.id)
    }

    @Test("Branding that is JSON but not a branding fails the tenant's read, naming tenant.branding")
    func badBranding() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        try await rawWrite(database, "UPDATE tenant SET branding = '[1, 2]' WHERE id = ?", [tenant.id])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.tenant(slug: "shop")
        }

        #expect(error?.table == "tenant")
        #expect(error?.column == "branding")
        #expect(error?.rowID == "\(tenant.id)")
    }

    @Test("A date that is not a date is an error naming its column")
    func badDate() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        try await rawWrite(database, "UPDATE shipment SET eta = 'next tuesday' WHERE id = ?", [shipment.id])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.shipment(tenantID: tenant.id, id: shipment.id)
        }

        #expect(error?.table == "shipment")
        #expect(error?.column == "eta")
        #expect(error?.rowID == shipment.id)
    }

    @Test("A column renamed behind the store's back is an error naming it, not a crash")
    func renamedColumn() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        try await rawWrite(database, "ALTER TABLE checkpoint RENAME COLUMN message TO text", [])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.shipment(tenantID: tenant.id, id: shipment.id)
        }

        #expect(error?.table == "checkpoint")
        #expect(error?.column == "message")
        #expect(error?.problem == "no such column")
    }

    @Test("An unknown delivery channel fails the outbox listing, naming delivery.channel and the delivery")
    func badDeliveryChannel() async throws {
        let (database, tenant, shipment) = try await Self.shipmentWithCheckpoint()
        let endpoint = try await database.createWebhookEndpoint(
            tenantID: tenant.id, url: "https://hooks.example/waymark", eventTypes: ["shipment.status_changed"], secret: "whsec_test")
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(7_200, .outForDelivery)])
        let delivery = try #require(try await database.deliveries(tenantID: tenant.id, endpointID: endpoint.id).first)
        try await rawWrite(database, "UPDATE delivery SET channel = 'pigeon' WHERE id = ?", [delivery.id])

        let error = await #expect(throws: StoredValueError.self) {
            try await database.deliveries(tenantID: tenant.id)
        }

        #expect(error?.table == "delivery")
        #expect(error?.column == "channel")
        #expect(error?.rowID == delivery.id)
    }

    /// A tenant with one shipment that has one checkpoint.
    static func shipmentWithCheckpoint() async throws -> (AppDatabase, Tenant, Shipment) {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: storeReferenceDate)
        let outcome = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(3_600, .inTransit)], now: storeReferenceDate)
        return (database, tenant, outcome.shipment)
    }
}

/// Changes the store's file over a separate connection that ignores CHECK constraints: the way
/// a bad value gets in when the store is not the one writing.
func rawWrite(_ database: AppDatabase, _ sql: String, _ arguments: StatementArguments) async throws {
    let queue = try DatabaseQueue(path: database.path)
    try await queue.write { db in
        try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
        try db.execute(sql: sql, arguments: arguments)
    }
}
