import Foundation
import GRDB
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Shipments: create, read, isolation")
struct ShipmentStoreTests {
    @Test("A created shipment reads back the same by id and by token")
    func createAndRead() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        var new = try Fixture.shipment(phone: "+14155550123")
        new.metadata = ["sku": "42"]
        new.eta = storeReferenceDate.addingTimeInterval(86_400)
        let created = try await database.createShipment(tenantID: tenant.id, new, now: storeReferenceDate)

        #expect(created.id.hasPrefix("shp_"))
        #expect(SecureToken.isWellFormed(created.token))
        #expect(created.status == .pending)
        #expect(created.tenantID == tenant.id)
        #expect(created.carrier == "ups")

        let byID = try #require(try await database.shipment(tenantID: tenant.id, id: created.id))
        #expect(byID.shipment == created)
        #expect(byID.checkpoints.isEmpty)
        let byToken = try #require(try await database.shipment(tenantID: tenant.id, token: created.token))
        #expect(byToken.shipment == created)
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 1)
    }

    @Test("Without a carrier the shipment is stored as unknown")
    func unknownCarrier() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        // A number no carrier format fits: a UPS number would have its carrier detected.
        let created = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("ABC123", carrier: nil))
        #expect(created.carrier == Shipment.unknownCarrier)
        #expect(try await database.shipment(tenantID: tenant.id, id: created.id)?.shipment.carrier == "unknown")
    }

    @Test("Another tenant can read a shipment neither by id nor by token")
    func tenantIsolation() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a").tenant
        let b = try await Fixture.tenant(database, slug: "shop-b").tenant
        let shipment = try await database.createShipment(tenantID: a.id, try Fixture.shipment())
        #expect(try await database.shipment(tenantID: b.id, id: shipment.id) == nil)
        #expect(try await database.shipment(tenantID: b.id, token: shipment.token) == nil)
        #expect(try await database.shipment(tenantID: a.id, id: shipment.id) != nil)
        #expect(try await database.shipmentCount(tenantID: b.id) == 0)
        #expect(try await database.shipment(tenantID: a.id, id: "shp_doesnotexist") == nil)
        #expect(try await database.shipment(tenantID: a.id, token: SecureToken.trackingToken()) == nil)
    }

    @Test("The same carrier and number twice for a tenant is a duplicate")
    func duplicate() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment())
        await #expect(throws: StoreError.duplicateShipment(carrier: "ups", trackingNumber: "1Z999AA10123456784")) {
            try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(orderNumber: "A-2002"))
        }
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 1)
        // The same number with another carrier is another shipment.
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment(carrier: "fedex"))
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 2)
    }

    @Test("The same number for another tenant is fine")
    func sameNumberOtherTenant() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a").tenant
        let b = try await Fixture.tenant(database, slug: "shop-b").tenant
        let first = try await database.createShipment(tenantID: a.id, try Fixture.shipment())
        let second = try await database.createShipment(tenantID: b.id, try Fixture.shipment())
        #expect(first.id != second.id)
        #expect(first.token != second.token)
        #expect(try await database.shipment(tenantID: b.id, id: second.id)?.shipment.trackingNumber == "1Z999AA10123456784")
    }

    @Test("Subscriptions are created for the customer's email and phone")
    func subscriptions() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let both = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("N1", phone: "+14155550123"))
        let neither = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("N2", email: nil, phone: nil))

        struct Subscription: Equatable, Sendable { var channel: String; var address: String }
        func subscriptions(_ id: String) async throws -> [Subscription] {
            try await rawRead(database) { db in
                try Row.fetchAll(db, sql: "SELECT channel, address FROM subscription WHERE shipment_id = ? ORDER BY channel", arguments: [id])
                    .map { Subscription(channel: $0["channel"], address: $0["address"]) }
            }
        }
        #expect(try await subscriptions(both.id) == [
            Subscription(channel: "email", address: "Jane.Doe@example.com"),
            Subscription(channel: "sms", address: "+14155550123"),
        ])
        #expect(try await subscriptions(neither.id).isEmpty)
    }
}
