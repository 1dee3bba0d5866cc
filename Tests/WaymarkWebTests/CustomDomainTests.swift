import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOEmbedded
import Synchronization
import Testing
import WaymarkCore
@testable import WaymarkWeb

/// A tenant's own host name serves its lookup at `/` and its pages at `/t/{token}`.
@Suite struct CustomDomainTests {
    func get(_ path: String, host: String, _ fixture: Fixture) async throws -> (HTTPResponse.Status, HTTPFields, String) {
        let responder = try await fixture.app().responder
        let request = Request(head: HTTPRequest(method: .get, scheme: "https", authority: host, path: path), body: .init(buffer: ByteBuffer()))
        let context = WaymarkRequestContext(source: .init(channel: EmbeddedChannel(), logger: Logger(label: "test")))
        let response = try await responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return (response.status, response.headers, collector.text)
    }

    @Test func servesTheTenantWithoutItsSlug() async throws {
        let fixture = try await Fixture.make()
        _ = try await fixture.database.setCustomDomain(tenantID: fixture.acme.tenant.id, domain: "track.acme.test")

        let (status, _, html) = try await get("/t/\(fixture.acmeShipment.token)", host: "Track.Acme.Test:443", fixture)
        #expect(status == .ok)
        #expect(html.contains("Order ACME-1001"))
        #expect(html.contains("href=\"/theme.css\""), "links drop the slug")
        #expect(html.contains("<a href=\"/\">"), "the lookup link is the domain root")

        let (lookupStatus, _, lookup) = try await get("/", host: "track.acme.test", fixture)
        #expect(lookupStatus == .ok)
        #expect(lookup.contains("action=\"/lookup?lang=en\""))

        let (cssStatus, _, css) = try await get("/theme.css", host: "track.acme.test", fixture)
        #expect(cssStatus == .ok)
        #expect(css.contains("--brand:"))

        // Platform paths stay platform paths.
        let (healthStatus, _, _) = try await get("/healthz", host: "track.acme.test", fixture)
        #expect(healthStatus == .ok)
    }

    @Test func anotherTenantsTokenIsNotServedOnThisDomain() async throws {
        let fixture = try await Fixture.make()
        _ = try await fixture.database.setCustomDomain(tenantID: fixture.acme.tenant.id, domain: "track.acme.test")
        let (status, _, _) = try await get("/t/\(fixture.globexShipment.token)", host: "track.acme.test", fixture)
        #expect(status == .notFound)
    }

    @Test func unknownHostsUseSlugPaths() async throws {
        let fixture = try await Fixture.make()
        let (status, _, _) = try await get("/acme/t/\(fixture.acmeShipment.token)", host: "unknown.example", fixture)
        #expect(status == .ok)
    }
}

/// `RecentAnswers`, as the host cache in front of `tenant(customDomain:)` uses it: one query per
/// host per lifetime and generation, misses included, forgotten when a domain changes, and
/// bounded against floods of made-up hosts. (The tracking page's stamps are the same type.)
@Suite struct TenantHostsTests {
    /// The lookups a cache made; `down.example` fails.
    final class Lookups: Sendable {
        let hosts = Mutex<[String]>([])
        struct Unreachable: Error {}

        func record(_ host: String) async throws -> String? {
            hosts.withLock { $0.append(host) }
            if host == "down.example" { throw Unreachable() }
            return host.hasSuffix("acme.test") ? "acme" : nil
        }

        var count: Int { hosts.withLock { $0.count } }

        func cache(lifetime: Duration = .seconds(3_600), capacity: Int = 10) -> TenantHosts {
            TenantHosts(lifetime: lifetime, capacity: capacity) { try await self.record($0) }
        }
    }

    @Test func hitsAndMissesAreRememberedUntilForgotten() async throws {
        let lookups = Lookups()
        let cache = lookups.cache(capacity: 3)
        for _ in 0..<5 {
            #expect(try await cache.value(for: "track.acme.test") == "acme")
            #expect(try await cache.value(for: "random.example") == nil)
        }
        #expect(lookups.count == 2, "one query per host")
        cache.forgetAll()
        #expect(try await cache.value(for: "track.acme.test") == "acme")
        #expect(lookups.count == 3)
        // A flood of distinct hosts never grows the cache past its capacity.
        for index in 0..<50 { _ = try await cache.value(for: "flood-\(index).example") }
        #expect(cache.count <= 3)
    }

    @Test func anAnswerFromAnotherGenerationIsReadAgain() async throws {
        let lookups = Lookups()
        let cache = lookups.cache()
        _ = try await cache.value(for: "track.acme.test", generation: 7)
        _ = try await cache.value(for: "track.acme.test", generation: 7)
        #expect(lookups.count == 1)
        _ = try await cache.value(for: "track.acme.test", generation: 8)
        #expect(lookups.count == 2, "something was committed since: the answer may be stale")
    }

    /// A failed read is not remembered: the next request reads again.
    @Test func aFailedReadIsNotRemembered() async throws {
        let lookups = Lookups()
        let cache = lookups.cache()
        await #expect(throws: Lookups.Unreachable.self) { try await cache.value(for: "down.example") }
        await #expect(throws: Lookups.Unreachable.self) { try await cache.value(for: "down.example") }
        #expect(lookups.count == 2)
        #expect(cache.count == 0)
    }

    @Test func anEntryAgesOut() async throws {
        let lookups = Lookups()
        let cache = lookups.cache(lifetime: .zero)
        _ = try await cache.value(for: "track.acme.test")
        _ = try await cache.value(for: "track.acme.test")
        #expect(lookups.count == 2)
    }

    /// The tracking page's stamps, as the app makes them: a subject read again unchanged (after
    /// a commit, at a new generation) stays the same object, so the page cache compares it by
    /// identity; a changed one is the new object.
    @Test func aStampReadAgainUnchangedKeepsTheRememberedObject() async throws {
        let fixture = try await Fixture.make()
        let stamps = TrackingPageStamps(database: fixture.database)
        let key = TrackingPageStampKey(slug: "acme", token: fixture.acmeShipment.token)
        let first = try #require(await stamps.value(for: key, generation: 1))
        #expect(first.stamp?.shipment.id == fixture.acmeShipment.id)
        let again = try #require(await stamps.value(for: key, generation: 2))
        #expect(again === first)
        try await fixture.database.updateBranding(tenantID: fixture.acme.tenant.id, Branding(primaryColor: HexColor("#112233")!), now: Fixture.now)
        let changed = try #require(await stamps.value(for: key, generation: 3))
        #expect(changed !== first && changed.tenant.branding.primaryColor == HexColor("#112233"))
    }
}

/// Gathers a response body written by Hummingbird.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    var text: String { String(buffer: buffer) }
    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.buffer.writeBuffer(&copy)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
