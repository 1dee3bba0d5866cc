import Testing
import WaymarkCore
import WaymarkStore

@Suite("Custom domains")
struct CustomDomainTests {
    @Test("A custom domain is stored lowercased and found in any case")
    func setAndFind() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let updated = try await database.setCustomDomain(tenantID: tenant.id, domain: "Track.Acme-Shop.COM")
        #expect(updated.customDomain == "track.acme-shop.com")
        for host in ["track.acme-shop.com", "TRACK.ACME-SHOP.COM", "Track.Acme-Shop.com"] {
            #expect(try await database.tenant(customDomain: host)?.id == tenant.id, "\(host)")
        }
        #expect(try await database.tenant(customDomain: "acme-shop.com") == nil)

        _ = try await database.setCustomDomain(tenantID: tenant.id, domain: nil)
        #expect(try await database.tenant(customDomain: "track.acme-shop.com") == nil)
        #expect(try await database.tenant(id: tenant.id)?.customDomain == nil)
    }

    @Test("A domain already serving another tenant is domainTaken, in any case")
    func domainTaken() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a").tenant
        let b = try await Fixture.tenant(database, slug: "shop-b").tenant
        _ = try await database.setCustomDomain(tenantID: a.id, domain: "track.example.com")
        await #expect(throws: StoreError.domainTaken("track.example.com")) {
            try await database.setCustomDomain(tenantID: b.id, domain: "track.example.com")
        }
        await #expect(throws: StoreError.domainTaken("TRACK.Example.com")) {
            try await database.setCustomDomain(tenantID: b.id, domain: "TRACK.Example.com")
        }
        #expect(try await database.tenant(customDomain: "track.example.com")?.id == a.id)
        #expect(try await database.tenant(id: b.id)?.customDomain == nil)
        // Setting its own domain again is fine.
        #expect(try await database.setCustomDomain(tenantID: a.id, domain: "Track.Example.com").customDomain == "track.example.com")
    }
}
