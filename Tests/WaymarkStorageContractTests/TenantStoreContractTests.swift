import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("TenantStore contract")
struct TenantStoreContractTests {
    @Test("a new tenant comes with its owner, who can sign in, and an API key that authenticates", arguments: Backend.allCases)
    func createTenant(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            let created = try await ContractFixture.tenant(store, slug: "acme")
            #expect(created.tenant.slug == "acme")
            #expect(created.tenant.createdAt == contractDate)
            #expect(try await store.tenant(slug: "acme") == created.tenant)
            #expect(try await store.tenant(id: created.tenant.id) == created.tenant)
            let identity = try #require(try await store.authenticate(apiKey: created.apiKey))
            #expect(identity.tenantID == created.tenant.id)
            #expect(identity.scope == .readWrite)
            #expect(try await store.authenticate(apiKey: created.apiKey + "x") == nil)
            #expect(try await store.verifyLogin(email: "OWNER@acme.example", password: ContractFixture.password) != nil)
            #expect(try await store.verifyLogin(email: "owner@acme.example", password: "wrong password here") == nil)
            #expect(try await store.verifyLogin(email: "nobody@acme.example", password: ContractFixture.password) == nil)
        }
    }

    @Test("a slug in use is refused, and nothing of the second tenant is kept", arguments: Backend.allCases)
    func slugTaken(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            _ = try await ContractFixture.tenant(store, slug: "acme")
            await #expect(throws: StoreError.slugTaken("acme")) {
                _ = try await ContractFixture.tenant(store, slug: "acme", ownerEmail: "other@example.com")
            }
            #expect(try await store.tenants().map(\.slug) == ["acme"])
            #expect(try await store.verifyLogin(email: "other@example.com", password: ContractFixture.password) == nil)
        }
    }

    @Test("the same owner can own two tenants; tenants list by slug", arguments: Backend.allCases)
    func sameOwner(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            _ = try await ContractFixture.tenant(store, slug: "zeta", ownerEmail: "boss@example.com")
            _ = try await ContractFixture.tenant(store, slug: "alpha", ownerEmail: "Boss@Example.com")
            #expect(try await store.tenants().map(\.slug) == ["alpha", "zeta"])
        }
    }

    @Test("a custom domain serves its tenant in any case, is refused to another, and a claim becomes it once checked", arguments: Backend.allCases)
    func customDomains(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            _ = try await store.setCustomDomain(tenantID: acme.id, domain: "Track.Acme.example", now: contractDate)
            #expect(try await store.tenant(customDomain: "TRACK.acme.example")?.id == acme.id)
            await #expect(throws: StoreError.domainTaken("track.acme.example")) {
                _ = try await store.setCustomDomain(tenantID: other.id, domain: "track.acme.example", now: contractDate)
            }
            let claim = try await store.claimDomain(tenantID: other.id, domain: "track.other.example", token: String(repeating: "t", count: 22), now: contractDate)
            #expect(try await store.domainClaim(tenantID: other.id) == claim)
            let checked = try await store.recordDomainCheck(tenantID: other.id, problem: "no TXT record yet", now: contractDate)
            #expect(checked?.customDomain == nil)
            #expect(try await store.domainClaim(tenantID: other.id)?.problem == "no TXT record yet")
            let proven = try await store.recordDomainCheck(tenantID: other.id, problem: nil, now: contractDate)
            #expect(proven?.customDomain == "track.other.example")
            #expect(try await store.domainClaim(tenantID: other.id) == nil)
            #expect(try await store.recordDomainCheck(tenantID: other.id, problem: nil, now: contractDate) == nil)
        }
    }

    @Test("a logo is kept with its bytes and becomes the branding's", arguments: Backend.allCases)
    func logo(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let logo = StoredLogo(file: "abc123.png", contentType: "image/png", bytes: [0x89, 0x50, 0x4E, 0x47, 0, 255])
            try await store.setLogo(tenantID: acme.id, logo, now: contractDate)
            #expect(try await store.logo(tenantID: acme.id, file: "abc123.png") == logo)
            #expect(try await store.logo(tenantID: acme.id, file: "other.png") == nil)
            #expect(try await store.tenant(id: acme.id)?.branding.logoFile == "abc123.png")
        }
    }

    @Test("provider accounts keep what a nil leaves alone; activity records refusals", arguments: Backend.allCases)
    func providerAccounts(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            _ = try await store.setProviderAccount(tenantID: acme.id, provider: "aftership", secret: "s1", apiKey: nil, register: true, now: contractDate)
            let changed = try await store.setProviderAccount(
                tenantID: acme.id, provider: "aftership", secret: nil, apiKey: "k1", register: nil, now: contractDate)
            #expect(changed == ProviderAccount(provider: "aftership", secret: "s1", apiKey: "k1", register: true))
            #expect(try await store.providerAccounts(tenantID: acme.id) == [changed])
            let (tenant, account) = try #require(try await store.tenantAndProviderAccount(slug: "acme", provider: "aftership"))
            #expect(tenant.id == acme.id && account == changed)
            #expect(try await store.tenantAndProviderAccount(slug: "acme", provider: "shippo")?.1 == nil)
            #expect(try await store.tenantAndProviderAccount(slug: "nobody", provider: "shippo") == nil)
            try await store.recordRefusedHook(tenantID: acme.id, provider: "shippo", reason: "bad signature", now: contractDate)
            let activity = try await store.providerActivity(tenantID: acme.id)
            #expect(activity.map(\.provider) == ["shippo"])
            #expect(activity.first?.lastRefusal?.reason == "bad signature")
        }
    }

    @Test("ingest settings change only where given", arguments: Backend.allCases)
    func ingestSettings(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore).self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            #expect(try await store.ingestSettings(tenantID: acme.id) == IngestSettings(autoCreateShipments: true, deliveredRetentionDays: 90))
            try await store.setIngestSettings(tenantID: acme.id, autoCreateShipments: false, deliveredRetentionDays: nil)
            try await store.setIngestSettings(tenantID: acme.id, autoCreateShipments: nil, deliveredRetentionDays: 30)
            #expect(try await store.ingestSettings(tenantID: acme.id) == IngestSettings(autoCreateShipments: false, deliveredRetentionDays: 30))
        }
    }
}
