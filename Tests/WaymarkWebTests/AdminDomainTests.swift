import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/settings/domain`: a domain is asked for, its TXT record shown, and it is served only
/// once a lookup (the fixture's `TXTTable`, standing in for DNS) finds that record.
@Suite struct AdminDomainTests {
    @Test func aDomainServesOnlyAfterItsTXTRecordIsFound() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.get("/admin/settings/domain").text.contains("served under Waymark&#39;s address only"))

            for bad in ["https://track.acme-shop.test/", "track", "track.acme-shop.test:8443", "10.0.0.1"] {
                let refused = try await owner.post("/admin/settings/domain", [("domain", bad)])
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(refused.text.contains("Enter a host name like track.example.com"), "\(bad)")
            }
            #expect(try await owner.post("/admin/settings/domain", [("domain", "track.waymark.test")]).text.contains("Waymark&#39;s own address"))

            #expect(try await owner.post("/admin/settings/domain", [("domain", "Track.Acme-Shop.test")]).status == .seeOther)
            let claim = try #require(try await fixture.database.domainClaim(tenantID: tenantID))
            #expect(claim.domain == "track.acme-shop.test")
            let waiting = try await owner.get("/admin/settings/domain").text
            #expect(waiting.contains("<code>_waymark.track.acme-shop.test</code>"))
            #expect(waiting.contains("<code>waymark-verification=\(claim.token)</code>"))
            #expect(waiting.contains("<code>track.waymark.test</code>"), "the CNAME target")
            #expect(try await fixture.database.tenant(customDomain: "track.acme-shop.test") == nil, "not served before the proof")

            // No record yet, then a wrong one, then no answer: each says what is wrong and serves nothing.
            #expect(try await owner.post("/admin/settings/domain/verify").status == .seeOther)
            #expect(try await owner.get("/admin/settings/domain").text.contains("no TXT record at _waymark.track.acme-shop.test yet"))
            fixture.dns.set("_waymark.track.acme-shop.test", ["waymark-verification=someone-elses-token", "v=spf1 -all"])
            try await owner.post("/admin/settings/domain/verify")
            #expect(try await owner.get("/admin/settings/domain").text.contains("do not hold waymark-verification=\(claim.token)"))
            fixture.dns.fail("_waymark.track.acme-shop.test")
            try await owner.post("/admin/settings/domain/verify")
            #expect(try await owner.get("/admin/settings/domain").text.contains("the DNS lookup of _waymark.track.acme-shop.test failed"))
            #expect(try await fixture.database.tenant(customDomain: "track.acme-shop.test") == nil)

            // The right record: served from now on, the claim gone, the change audited.
            fixture.dns.set("_waymark.track.acme-shop.test", ["v=spf1 -all", claim.recordValue])
            let done = try await owner.post("/admin/settings/domain/verify")
            #expect(done.status == .seeOther && done.headers[.location] == "/admin/settings/domain?verified=1")
            #expect(try await fixture.database.tenant(customDomain: "track.acme-shop.test")?.id == tenantID)
            #expect(try await fixture.database.domainClaim(tenantID: tenantID) == nil)
            let served = try await owner.get("/admin/settings/domain?verified=1").text
            #expect(served.contains("your tracking pages are served there now"))
            #expect(served.contains("href=\"https://track.acme-shop.test/\""))
            #expect(try await owner.get("/admin/audit").text.contains("verified the custom domain track.acme-shop.test"))

            // Stopping is one button.
            #expect(try await owner.post("/admin/settings/domain", [("remove", "1")]).status == .seeOther)
            #expect(try await fixture.database.tenant(customDomain: "track.acme-shop.test") == nil)
        }
    }

    @Test func aDomainAnotherTenantServesCannotBeClaimedAndAgentsAreKeptOut() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        _ = try await fixture.database.setCustomDomain(tenantID: fixture.base.globex.tenant.id, domain: "track.globex.test", now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let taken = try await owner.post("/admin/settings/domain", [("domain", "track.globex.test")])
            #expect(taken.status == .unprocessableContent)
            #expect(taken.text.contains("already serves another tenant"))
            #expect(try await owner.post("/admin/settings/domain", [("domain", "track.acme.test")], withCSRF: false).status == .forbidden)
            #expect(try await fixture.database.domainClaim(tenantID: fixture.base.acme.tenant.id) == nil)

            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin/settings/domain").status == .forbidden)
            #expect(try await agent.post("/admin/settings/domain", [("domain", "track.acme.test")]).status == .forbidden)
            #expect(try await agent.post("/admin/settings/domain/verify").status == .forbidden)
        }
        #expect(try await fixture.database.tenant(customDomain: "track.globex.test")?.id == fixture.base.globex.tenant.id)
    }
}
