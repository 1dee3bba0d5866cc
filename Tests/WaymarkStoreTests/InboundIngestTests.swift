import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Inbound provider events")
struct InboundIngestTests {
    @Test("An update for an unknown number creates the shipment, and the payload is kept")
    func unknownNumberCreatesTheShipment() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let update = TrackingUpdate(trackingNumber: "new 123", carrier: "dhl", events: [Fixture.event(0, .inTransit, "Departed")])
        let outcome = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "e1", body: Array("{}".utf8), updates: [update])
        #expect(!outcome.duplicate)
        let result = try #require(outcome.results.first)
        #expect(result.created && result.inserted == 1 && result.statusChanged)
        let found = try #require(try await database.lookupShipment(tenantID: tenant.id, trackingNumber: "NEW123"))
        #expect(found.shipment.status == .inTransit)
        #expect(found.shipment.carrier == "dhl")
        #expect(try await database.inboundEvents(tenantID: tenant.id, since: .distantPast).count == 1)
    }

    @Test("With auto-create off, an unknown number is skipped and says why")
    func autoCreateOff() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        try await database.setIngestSettings(tenantID: tenant.id, autoCreateShipments: false)
        let update = TrackingUpdate(trackingNumber: "NOPE1", events: [Fixture.event(0, .inTransit)])
        let outcome = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "e1", body: [], updates: [update])
        #expect(outcome.results.first?.skipped != nil)
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 0)
    }

    @Test("The same event 50 times at once changes the shipment once and plans one shopper message")
    func duplicateStorm() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("STORM1"))
        let update = TrackingUpdate(trackingNumber: "STORM1", carrier: "ups", events: [Fixture.event(0, .outForDelivery)])
        let body = Array(#"{"same": "payload"}"#.utf8)
        let outcomes = try await withThrowingTaskGroup(of: InboundOutcome.self) { group in
            for _ in 0..<50 {
                group.addTask { try await database.ingest(tenantID: tenant.id, provider: "17track", eventID: nil, body: body, updates: [update]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { !$0.duplicate }.count == 1)
        #expect(outcomes.flatMap(\.results).filter(\.statusChanged).count == 1)
        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.checkpoints.count == 1)
        #expect(stored.shipment.status == .outForDelivery)
        let emails = try await database.deliveries(tenantID: tenant.id).filter { $0.channel == .email }
        #expect(emails.map(\.triggerKey) == ["status:out_for_delivery"])
    }

    @Test("Updates never reach another tenant's shipment with the same number")
    func tenantIsolation() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a").tenant
        let b = try await Fixture.tenant(database, slug: "shop-b").tenant
        let theirs = try await database.createShipment(tenantID: b.id, try Fixture.shipment("SHARED1"))
        let update = TrackingUpdate(trackingNumber: "SHARED1", carrier: "ups", events: [Fixture.event(0, .delivered)])
        _ = try await database.ingest(tenantID: a.id, provider: "aftership", eventID: "x", body: [], updates: [update])
        #expect(try await database.shipment(tenantID: b.id, id: theirs.id)?.shipment.status == .pending)
        #expect(try await database.shipmentCount(tenantID: a.id) == 1, "tenant A got its own shipment")
    }
}
