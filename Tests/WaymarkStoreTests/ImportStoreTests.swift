import Foundation
import GRDB
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Shipments: bulk import")
struct ImportStoreTests {
    /// Every shipment row of the file, in a stable order, as text: equal before and after means
    /// nothing changed, timestamps included.
    func snapshot(_ database: AppDatabase) async throws -> [String] {
        try await rawRead(database) { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shipment ORDER BY id").map(\.description)
                + Row.fetchAll(db, sql: "SELECT * FROM subscription ORDER BY id").map(\.description)
        }
    }

    @Test("New shipments are created as createShipment creates them, in input order")
    func created() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let batch = [
            try Fixture.shipment("N1", phone: "+14155550123"),
            try Fixture.shipment("N2", carrier: nil, email: nil),
        ]
        let outcomes = try await database.importShipments(tenantID: tenant.id, batch, now: storeReferenceDate)

        #expect(outcomes.count == 2)
        guard case .created(let first) = outcomes[0], case .created(let second) = outcomes[1] else {
            Issue.record("expected two created shipments, got \(outcomes)")
            return
        }
        #expect(first.trackingNumber == "N1" && second.trackingNumber == "N2")
        #expect(first.id.hasPrefix("shp_") && SecureToken.isWellFormed(first.token))
        #expect(first.id != second.id && first.token != second.token)
        #expect(second.carrier == Shipment.unknownCarrier)
        #expect(first.status == .pending && first.createdAt == storeReferenceDate && first.updatedAt == storeReferenceDate)
        #expect(try await database.shipment(tenantID: tenant.id, id: first.id)?.shipment == first)
        #expect(try await database.shipment(tenantID: tenant.id, token: second.token)?.shipment == second)
        // Subscriptions as for a single create: email and SMS for N1, none for N2.
        #expect(try await rowCount(database, "subscription") == 2)
    }

    @Test("Importing the same shipments again changes nothing, not even updated_at")
    func reimport() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let batch = try (1...20).map { try Fixture.shipment("N\($0)", carrier: $0.isMultiple(of: 2) ? "ups" : nil, phone: "+14155550123") }
        let first = try await database.importShipments(tenantID: tenant.id, batch, now: storeReferenceDate)
        let before = try await snapshot(database)

        var edited = batch
        edited[3].orderNumber = "CHANGED"
        let second = try await database.importShipments(tenantID: tenant.id, edited, now: storeReferenceDate.addingTimeInterval(3600))

        #expect(second == first.map { .unchanged($0.shipment) })
        #expect(try await snapshot(database) == before)
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 20)
    }

    @Test("A shipment registered by the API or CLI counts as existing")
    func existingFromCreate() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let existing = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(), now: storeReferenceDate)
        let outcomes = try await database.importShipments(tenantID: tenant.id, [try Fixture.shipment(orderNumber: "other")])
        #expect(outcomes == [.unchanged(existing)])
    }

    @Test("A number repeated within one batch is created once; the same number with another carrier is another shipment")
    func duplicatesInBatch() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let batch = [
            try Fixture.shipment("N1", orderNumber: "first"),
            try Fixture.shipment("N2"),
            try Fixture.shipment("N1", orderNumber: "second"),
            try Fixture.shipment("N1", carrier: "fedex"),
            try Fixture.shipment("N3", carrier: nil),
            try Fixture.shipment("N3", carrier: nil),
        ]
        let outcomes = try await database.importShipments(tenantID: tenant.id, batch, now: storeReferenceDate)
        let kinds = outcomes.map { if case .created = $0 { "created" } else { "unchanged" } }
        #expect(kinds == ["created", "created", "unchanged", "created", "created", "unchanged"])
        #expect(outcomes[2] == .unchanged(outcomes[0].shipment))
        #expect(outcomes[2].shipment.orderNumber == "first")
        #expect(outcomes[5].shipment.id == outcomes[4].shipment.id)
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 4)
    }

    @Test("Tenants are isolated: another tenant's shipment with the same number is neither found nor touched")
    func tenantIsolation() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a").tenant
        let b = try await Fixture.tenant(database, slug: "shop-b").tenant
        let batch = [try Fixture.shipment("N1"), try Fixture.shipment("N2")]
        let forA = try await database.importShipments(tenantID: a.id, batch, now: storeReferenceDate)
        let snapshotA = try await snapshot(database)
        let forB = try await database.importShipments(tenantID: b.id, batch, now: storeReferenceDate.addingTimeInterval(60))

        for outcome in forB {
            guard case .created(let shipment) = outcome else {
                Issue.record("expected created for tenant b, got \(outcome)")
                continue
            }
            #expect(shipment.tenantID == b.id)
        }
        #expect(Set(forA.map(\.shipment.id)).isDisjoint(with: forB.map(\.shipment.id)))
        #expect(try await database.shipmentCount(tenantID: a.id) == 2)
        #expect(try await database.shipmentCount(tenantID: b.id) == 2)
        // Tenant a's rows are exactly as they were.
        let rowsOfA = try await rawRead(database) { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shipment WHERE tenant_id = ? ORDER BY id", arguments: [a.id]).map(\.description)
        }
        #expect(snapshotA.filter { $0.contains("tenant_id:\(a.id)") } == rowsOfA)
    }

    @Test("An empty batch does nothing; a failing batch saves none of its rows")
    func emptyAndAtomic() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        #expect(try await database.importShipments(tenantID: tenant.id, []).isEmpty)
        // No tenant 999: the foreign key refuses the rows, and the transaction rolls back whole.
        await #expect(throws: DatabaseError.self) {
            try await database.importShipments(tenantID: 999, [try Fixture.shipment("N1"), try Fixture.shipment("N2")])
        }
        #expect(try await rowCount(database, "shipment") == 0)
        #expect(try await rowCount(database, "subscription") == 0)
    }
}
