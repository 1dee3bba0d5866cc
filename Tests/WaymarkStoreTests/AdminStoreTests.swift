import Foundation
import Testing
import WaymarkCore
import WaymarkStore

/// The admin's storage: sessions, team rules, the audit log's year, searches, page views.
@Suite struct AdminStoreTests {
    let now = storeReferenceDate

    @Test func aSessionLivesTwoHoursIdleAndTwelveInAllAndEndsWithItsMembership() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        let lifetime = SessionLifetime()
        let session = try #require(try await database.createSession(
            userID: 1, tenantID: shop.tenant.id, secretDigest: "d1", csrfToken: SecureToken.random(byteCount: 16), address: nil, userAgent: nil, now: now))
        #expect(session.role == .owner && session.email == "owner@shop.example")
        var clock = now
        for _ in 0..<11 {
            clock.addTimeInterval(3_600)
            #expect(try await database.session(secretDigest: "d1", lifetime: lifetime, now: clock) != nil)
        }
        #expect(try await database.session(secretDigest: "d1", lifetime: lifetime, now: now.addingTimeInterval(12 * 3_600 + 1)) == nil)

        _ = try await database.createSession(
            userID: 1, tenantID: shop.tenant.id, secretDigest: "d2", csrfToken: SecureToken.random(byteCount: 16), address: nil, userAgent: nil, now: now)
        #expect(try await database.session(secretDigest: "d2", lifetime: lifetime, now: now.addingTimeInterval(2 * 3_600 + 1)) == nil)
        #expect(try await database.createSession(
            userID: 1, tenantID: 999, secretDigest: "d3", csrfToken: SecureToken.random(byteCount: 16), address: nil, userAgent: nil, now: now) == nil,
            "only in a tenant the user belongs to")
    }

    @Test func aTenantKeepsAnOwner() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        await #expect(throws: AccountError.lastOwner) { try await database.setRole(tenantID: shop.tenant.id, userID: 1, role: .admin) }
        await #expect(throws: AccountError.lastOwner) { try await database.removeMember(tenantID: shop.tenant.id, userID: 1) }
        #expect(try await database.teamMembers(tenantID: shop.tenant.id).map(\.role) == [.owner])
    }

    @Test func auditEntriesAreKeptOneYear() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        try await database.recordAudit(AuditEvent(tenantID: shop.tenant.id, actor: "a", action: "old"), now: now)
        try await database.recordAudit(AuditEvent(tenantID: shop.tenant.id, actor: "a", action: "recent"), now: now.addingTimeInterval(200 * 86_400))
        _ = try await database.runMaintenance(now: now.addingTimeInterval(364 * 86_400), batch: 100)
        #expect(try await database.auditEntries(tenantID: shop.tenant.id, before: nil, limit: 10).map(\.action) == ["recent", "old"])
        _ = try await database.runMaintenance(now: now.addingTimeInterval(366 * 86_400), batch: 100)
        #expect(try await database.auditEntries(tenantID: shop.tenant.id, before: nil, limit: 10).map(\.action) == ["recent"])
    }

    @Test func searchMatchesEachFieldExactlyOrByPrefixWithinTheTenant() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        let other = try await Fixture.tenant(database, slug: "other")
        let mine = try await database.createShipment(
            tenantID: shop.tenant.id, try Fixture.shipment(orderNumber: "A-1001", email: "Jane.Doe@example.com", phone: "+447700900123"), now: now)
        _ = try await database.createShipment(tenantID: other.tenant.id, try Fixture.shipment(orderNumber: "A-1001"), now: now)
        func ids(_ text: String) async throws -> [String] {
            try await database.searchShipments(tenantID: shop.tenant.id, ShipmentSearch(text: text)).map(\.id)
        }
        for text in ["A-1001", "a-1001", "A-10", "1Z999AA10123456784", "1z999a", "jane.doe@example.com", "JANE.DOE@", "+447700900123", "447700", "+44 7700 900"] {
            #expect(try await ids(text) == [mine.id], "\(text)")
        }
        for text in ["A-", "1Z", "ja", "A-1002", "nobody@example.com"] {
            #expect(try await ids(text).isEmpty, "\(text)")
        }
    }

    @Test func pageViewsAddUpAndIgnoreUnknownTokens() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        let shipment = try await database.createShipment(tenantID: shop.tenant.id, try Fixture.shipment(), now: now)
        for _ in 0..<2 {
            var batch = PageViewBatch()
            batch.byToken[shipment.token] = .init(views: 2, fromMessages: 1, first: now, last: now)
            batch.byToken["not-a-token-of-anyone-here"] = .init(views: 5, fromMessages: 5, first: now, last: now)
            batch.byTenantDay[.init(tenantID: shop.tenant.id, day: RFC3339.day(now))] = .init(views: 7, fromMessages: 6, first: now, last: now)
            try await database.recordPageViews(batch)
        }
        let figures = try await database.dashboard(tenantID: shop.tenant.id, now: now)
        #expect(figures.pageViews.last?.views == 14 && figures.pageViews.last?.fromMessages == 12)
        #expect(figures.viewed == 1 && figures.viewedFromMessage == 1)
        #expect(figures.pageViews.count == DashboardFigures.windowDays)
    }

    @Test func deletingTheDataKeepsTheTenantTeamKeysAndAudit() async throws {
        let database = try AppDatabase.temporary()
        let shop = try await Fixture.tenant(database, slug: "shop")
        _ = try await database.createShipment(tenantID: shop.tenant.id, try Fixture.shipment(), now: now)
        try await database.recordAudit(AuditEvent(tenantID: shop.tenant.id, actor: "a", action: "x"), now: now)
        #expect(try await database.deleteTenantData(tenantID: shop.tenant.id) == 1)
        #expect(try await database.shipmentCount(tenantID: shop.tenant.id) == 0)
        #expect(try await database.authenticate(apiKey: shop.apiKey) != nil)
        #expect(try await database.teamMembers(tenantID: shop.tenant.id).count == 1)
        #expect(try await database.auditEntries(tenantID: shop.tenant.id, before: nil, limit: 5).count == 1)
    }
}
