import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Shopper lookups")
struct LookupTests {
    struct Setup {
        var database: AppDatabase
        var tenant: Tenant
        var other: Tenant
        var shipment: Shipment
    }

    func setUp() async throws -> Setup {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop-a").tenant
        let other = try await Fixture.tenant(database, slug: "shop-b").tenant
        let shipment = try await database.createShipment(
            tenantID: tenant.id, try Fixture.shipment(orderNumber: "A-1001", email: "Jane.Doe@example.com", postalCode: "SW1A1AA"))
        return Setup(database: database, tenant: tenant, other: other, shipment: shipment)
    }

    @Test("Order number with the email, in any case, finds the shipment")
    func byEmail() async throws {
        let s = try await setUp()
        for email in ["Jane.Doe@example.com", "jane.doe@EXAMPLE.COM", "JANE.DOE@example.com"] {
            let found = try await s.database.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: email, postalCode: nil)
            #expect(found?.id == s.shipment.id, "\(email)")
        }
        #expect(try await s.database.lookupShipment(tenantID: s.tenant.id, orderNumber: "a-1001", email: "jane.doe@example.com", postalCode: nil)?.id == s.shipment.id)
    }

    @Test("Order number with the postal code, ignoring spaces and case, finds the shipment")
    func byPostalCode() async throws {
        let s = try await setUp()
        for code in ["sw1a 1aa", "SW1A1AA", "Sw1A-1aA", " SW1A 1AA "] {
            let found = try await s.database.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: nil, postalCode: code)
            #expect(found?.id == s.shipment.id, "\(code)")
        }
    }

    @Test("Without an email or a postal code there is no lookup")
    func needsProof() async throws {
        let s = try await setUp()
        #expect(try await s.database.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: nil, postalCode: nil) == nil)
    }

    @Test("A wrong email, postal code or order number finds nothing")
    func wrongProof() async throws {
        let s = try await setUp()
        let db = s.database
        #expect(try await db.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: "john@example.com", postalCode: nil) == nil)
        #expect(try await db.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: nil, postalCode: "SW1A 2AA") == nil)
        #expect(try await db.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1002", email: "jane.doe@example.com", postalCode: nil) == nil)
        #expect(try await db.lookupShipment(tenantID: s.tenant.id, orderNumber: "", email: "jane.doe@example.com", postalCode: nil) == nil)
    }

    @Test("Another tenant's shopper finds nothing, even with the right details")
    func otherTenant() async throws {
        let s = try await setUp()
        #expect(try await s.database.lookupShipment(tenantID: s.other.id, orderNumber: "A-1001", email: "jane.doe@example.com", postalCode: nil) == nil)
        #expect(try await s.database.lookupShipment(tenantID: s.other.id, orderNumber: "A-1001", email: nil, postalCode: "SW1A1AA") == nil)
        #expect(try await s.database.lookupShipment(tenantID: s.other.id, trackingNumber: "1Z999AA10123456784") == nil)
    }

    @Test("A split order finds its newest shipment")
    func newestOfSplitOrder() async throws {
        let s = try await setUp()
        let later = try await s.database.createShipment(
            tenantID: s.tenant.id, try Fixture.shipment("SECOND1"), now: Date().addingTimeInterval(3_600))
        let found = try await s.database.lookupShipment(tenantID: s.tenant.id, orderNumber: "A-1001", email: "jane.doe@example.com", postalCode: nil)
        #expect(found?.id == later.id)
    }

    @Test("A tracking number finds the shipment, typed in lowercase with spaces")
    func byTrackingNumber() async throws {
        let s = try await setUp()
        for typed in ["1Z999AA10123456784", "1z999aa10123456784", "1Z 999 AA1 0123 4567 84"] {
            let found = try await s.database.lookupShipment(tenantID: s.tenant.id, trackingNumber: typed)
            #expect(found?.shipment.id == s.shipment.id, "\(typed)")
        }
        #expect(try await s.database.lookupShipment(tenantID: s.tenant.id, trackingNumber: "1Z999AA10123456785") == nil)
    }
}
