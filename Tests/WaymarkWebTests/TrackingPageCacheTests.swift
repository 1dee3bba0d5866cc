import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// Rendered tracking pages are reused; these check that a reused page is never a stale one.
@Suite struct TrackingPageCacheTests {
    /// A clock the test moves.
    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ start: Date) { time = Mutex(start) }
        var now: Date { time.withLock { $0 } }
        func set(_ date: Date) { time.withLock { $0 = date } }
    }

    func page(_ client: some TestClientProtocol, _ path: String, etag: String? = nil) async throws -> (HTTPResponse.Status, String, String?) {
        var headers: HTTPFields = [:]
        if let etag { headers[.ifNoneMatch] = etag }
        return try await client.execute(uri: path, method: .get, headers: headers) { ($0.status, $0.text, $0.headers[.eTag]) }
    }

    @Test("A new checkpoint, new details or new branding show at once; an unchanged page keeps its ETag")
    func changesShowAtOnce() async throws {
        let fixture = try await Fixture.make()
        let path = fixture.acmeTrackingPath
        try await fixture.app().test(.router) { client in
            let (_, first, etag) = try await page(client, path)
            #expect(first.contains(">Out for delivery</h1>"))
            let (again, _, sameETag) = try await page(client, path)
            #expect(again == .ok && sameETag == etag)
            #expect(try await page(client, path, etag: etag).0 == .notModified)

            _ = try await fixture.database.recordCheckpoints(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id, events: [
                CheckpointEvent(occurredAt: Fixture.now.addingTimeInterval(-60), status: .delivered, message: "Left at the front door", source: "test"),
            ], now: Fixture.now)
            let (status, delivered, newETag) = try await page(client, path, etag: etag)
            #expect(status == .ok && newETag != etag)
            #expect(delivered.contains(">Delivered</h1>") && delivered.contains("Left at the front door"))

            let shipment = fixture.acmeShipment
            _ = try await fixture.database.updateShipmentDetails(tenantID: fixture.acme.tenant.id, id: shipment.id, ShipmentDetails(
                orderNumber: "ACME-2002", customer: shipment.customer, destination: shipment.destination, metadata: [:], archived: false))
            #expect(try await page(client, path).1.contains("Order ACME-2002"))

            var branding = fixture.acme.tenant.branding
            branding.logoURL = "https://cdn.acme.test/new-logo.png"
            try await fixture.database.updateBranding(tenantID: fixture.acme.tenant.id, branding)
            #expect(try await page(client, path).1.contains("src=\"https://cdn.acme.test/new-logo.png\""))
        }
    }

    @Test("A change committed by another process (the CLI, another node) shows within a quarter of a second")
    func anotherProcessesChangeShowsSoon() async throws {
        let fixture = try await Fixture.make()
        let path = fixture.acmeTrackingPath
        let elsewhere = try AppDatabase(path: fixture.database.path)
        try await fixture.app().test(.router) { client in
            #expect(try await page(client, path).1.contains(">Out for delivery</h1>"))
            let commitsBefore = fixture.database.localCommits
            _ = try await elsewhere.recordCheckpoints(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id, events: [
                CheckpointEvent(occurredAt: Fixture.now.addingTimeInterval(-60), status: .delivered, message: "Left with a neighbour", source: "test"),
            ], now: Fixture.now)
            #expect(fixture.database.localCommits == commitsBefore, "another connection's commit is not this process's")
            try await Task.sleep(for: .milliseconds(300))
            let (_, delivered, _) = try await page(client, path)
            #expect(delivered.contains(">Delivered</h1>") && delivered.contains("Left with a neighbour"))
        }
    }

    @Test("Each language is its own page, and the thank-you after subscribing is never shared")
    func variantsStayApart() async throws {
        let fixture = try await Fixture.make()
        let path = fixture.acmeTrackingPath
        try await fixture.app().test(.router) { client in
            #expect(try await page(client, path + "?lang=de").1.contains("<html lang=\"de\">"))
            #expect(try await page(client, path).1.contains("<html lang=\"en\">"))
            #expect(try await page(client, path + "?lang=de").1.contains("<html lang=\"de\">"))
            let thanks = Catalog.text(fixture, "subscribe.confirmation")
            #expect(try await page(client, path + "?subscribed=1").1.contains(thanks))
            let plain = try await page(client, path).1
            #expect(!plain.contains(thanks))
        }
    }

    @Test("An ETA turns late at midnight UTC although the shipment did not change")
    func theDayIsPartOfThePage() async throws {
        let fixture = try await Fixture.make()
        let clock = Clock(Date(timeIntervalSince1970: 1_796_079_600))  // 2026-11-30 23:00 UTC, the ETA's day
        let app = try await buildApplication(
            config: fixture.config, database: fixture.database, outside: OutsideServices(now: { clock.now }), logger: fixture.logs.logger())
        try await app.test(.router) { client in
            let onTheDay = try await page(client, fixture.acmeTrackingPath).1
            #expect(!onTheDay.contains("Running late"))
            clock.set(Date(timeIntervalSince1970: 1_796_085_000))  // 2026-12-01 00:30 UTC
            #expect(try await page(client, fixture.acmeTrackingPath).1.contains("Running late"))
        }
    }

    @Test("Past its capacity the cache drops the least recently used pages")
    func boundedByCapacity() throws {
        let cache = TrackingPageCache(capacity: 8)
        let tenant = Tenant(id: 1, slug: "acme", name: "Acme", createdAt: Fixture.now)
        func key(_ n: Int) throws -> TrackingPageCache.Key {
            let shipment = Shipment(id: "shp_\(n)", tenantID: 1, trackingNumber: "N\(n)", carrier: "ups", token: "token-\(n)-0123456789abcdef",
                                    createdAt: Fixture.now, updatedAt: Fixture.now)
            let stamp = TrackingPageStamp(shipment: shipment, checkpointCount: 0, newestCheckpointID: nil)
            return .init(subject: TrackingPageSubject(tenant: tenant, stamp: stamp), language: "en", prefix: "/acme", now: Fixture.now)
        }
        let page = RenderedPage(body: .init(string: "<p>page</p>"), contentType: "text/html")
        let keys = try (0...8).map(key)
        for n in 0..<8 { cache.store(page, for: keys[n]) }
        #expect(cache.page(for: keys[0]) != nil)  // 0 is now the most recently used
        cache.store(page, for: keys[8])
        #expect(cache.count == 7)
        #expect(cache.page(for: keys[0]) != nil && cache.page(for: keys[8]) != nil)
        #expect(cache.page(for: keys[1]) == nil && cache.page(for: keys[2]) == nil)
    }
}

private extension Catalog {
    static func text(_ fixture: Fixture, _ key: String) -> String {
        (try? Catalog(directory: "\(fixture.config.resourcesPath)/Locales").text(key, "en")) ?? key
    }
}
