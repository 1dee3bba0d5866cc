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

@Suite("Custom domain claims")
struct DomainClaimTests {
    @Test("A claimed domain serves only once its check passes; a failed check keeps the claim with its problem")
    func claimThenProve() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let claim = try await database.claimDomain(tenantID: tenant.id, domain: "Track.Acme.test", token: "token-of-twenty-two-chars", now: storeReferenceDate)
        #expect(claim.domain == "track.acme.test" && claim.recordName == "_waymark.track.acme.test")
        #expect(try await database.tenant(customDomain: "track.acme.test") == nil)

        let later = storeReferenceDate.addingTimeInterval(60)
        #expect(try await database.recordDomainCheck(tenantID: tenant.id, problem: "no TXT record yet", now: later)?.customDomain == nil)
        #expect(try await database.domainClaim(tenantID: tenant.id) == DomainClaim(
            domain: "track.acme.test", token: "token-of-twenty-two-chars", createdAt: storeReferenceDate, checkedAt: later, problem: "no TXT record yet"))

        #expect(try await database.recordDomainCheck(tenantID: tenant.id, problem: nil, now: later)?.customDomain == "track.acme.test")
        #expect(try await database.domainClaim(tenantID: tenant.id) == nil)
        #expect(try await database.recordDomainCheck(tenantID: tenant.id, problem: nil, now: later) == nil, "no claim, nothing to check")

        // Asking for another domain keeps serving the proven one until the new one is proven.
        _ = try await database.claimDomain(tenantID: tenant.id, domain: "shop.acme.test", token: "another-token-22-chars", now: later)
        #expect(try await database.tenant(id: tenant.id)?.customDomain == "track.acme.test")
        // Stopping drops both.
        _ = try await database.setCustomDomain(tenantID: tenant.id, domain: nil)
        #expect(try await database.domainClaim(tenantID: tenant.id) == nil)
    }

    @Test("A domain another tenant is served at can neither be claimed nor proven")
    func anotherTenantsDomain() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "acme").tenant
        let b = try await Fixture.tenant(database, slug: "globex").tenant
        // Both ask; the first to prove it gets it, and the other's proof is refused.
        _ = try await database.claimDomain(tenantID: a.id, domain: "track.example.com", token: "token-a-of-22-characters", now: storeReferenceDate)
        _ = try await database.claimDomain(tenantID: b.id, domain: "track.example.com", token: "token-b-of-22-characters", now: storeReferenceDate)
        _ = try await database.recordDomainCheck(tenantID: a.id, problem: nil, now: storeReferenceDate)
        await #expect(throws: StoreError.domainTaken("track.example.com")) {
            try await database.recordDomainCheck(tenantID: b.id, problem: nil, now: storeReferenceDate)
        }
        await #expect(throws: StoreError.domainTaken("TRACK.example.com")) {
            try await database.claimDomain(tenantID: b.id, domain: "TRACK.example.com", token: "token-b-of-22-characters", now: storeReferenceDate)
        }
        #expect(try await database.tenant(customDomain: "track.example.com")?.id == a.id)
    }
}
