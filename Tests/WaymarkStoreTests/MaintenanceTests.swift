import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Maintenance: expiry, archiving, purging")
struct MaintenanceTests {
    let day: TimeInterval = 86_400

    @Test("A shipment silent for 30 days expires through an 'expired' checkpoint; a younger or tracked one does not")
    func silentShipmentsExpire() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let now = storeReferenceDate
        let silent = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("OLD1"), now: now - 31 * day)
        let young = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("NEW1"), now: now - 29 * day)
        let tracked = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("OLD2"), now: now - 40 * day)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: tracked.id, events: [Fixture.event(-39 * day, .inTransit)])

        let report = try await database.runMaintenance(now: now)

        #expect(report.expired == 1)
        let expired = try #require(try await database.shipment(tenantID: tenant.id, id: silent.id))
        #expect(expired.shipment.status == .expired)
        #expect(expired.checkpoints.first?.event.status == .expired)
        #expect(try await database.shipment(tenantID: tenant.id, id: young.id)?.shipment.status == .pending)
        #expect(try await database.shipment(tenantID: tenant.id, id: tracked.id)?.shipment.status == .inTransit)
        // Running again changes nothing.
        #expect(try await database.runMaintenance(now: now).expired == 0)
    }

    @Test("Delivered shipments are archived once the tenant's retention has passed")
    func deliveredShipmentsAreArchived() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        try await database.setIngestSettings(tenantID: tenant.id, deliveredRetentionDays: 10)
        let now = storeReferenceDate
        let old = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("D1"), now: now - 20 * day)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: old.id, events: [Fixture.event(-11 * day, .delivered)])
        let recent = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("D2"), now: now - 20 * day)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: recent.id, events: [Fixture.event(-9 * day, .delivered)])

        let report = try await database.runMaintenance(now: now)

        #expect(report.archived == 1)
        #expect(try await database.isArchived(tenantID: tenant.id, id: old.id))
        #expect(try await !database.isArchived(tenantID: tenant.id, id: recent.id))
    }

    @Test("Raw payloads older than 30 days and day-old idempotency keys are purged")
    func oldPayloadsAndKeysArePurged() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let now = storeReferenceDate
        let update = TrackingUpdate(trackingNumber: "P1", events: [Fixture.event(0, .inTransit)])
        _ = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "old", body: Array("old".utf8), updates: [update], now: now - 31 * day)
        _ = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "new", body: Array("new".utf8), updates: [update], now: now - 29 * day)
        try await database.storeResponse(tenantID: tenant.id, key: "k-old", StoredResponse(requestSHA256: "x", status: 201, body: []), now: now - 2 * day)
        try await database.storeResponse(tenantID: tenant.id, key: "k-new", StoredResponse(requestSHA256: "x", status: 201, body: []), now: now - 3_600)

        let report = try await database.runMaintenance(now: now)

        #expect(report.purgedPayloads == 1)
        #expect(report.purgedIdempotencyKeys == 1)
        #expect(try await database.inboundEvents(tenantID: tenant.id, since: .distantPast).map { String(decoding: $0.body, as: UTF8.self) } == ["new"])
        #expect(try await database.storedResponse(tenantID: tenant.id, key: "k-new") != nil)
        #expect(try await database.storedResponse(tenantID: tenant.id, key: "k-old") == nil)
    }
}
