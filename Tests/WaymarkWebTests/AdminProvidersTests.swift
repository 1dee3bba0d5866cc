import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkProviders
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/settings/providers`: the inbound URL per provider, write-only secrets and keys (a
/// generated one shown once), registration on or off, and what each provider last did: the last
/// event accepted, the last webhook refused and why. Agents and other tenants kept out.
@Suite struct AdminProvidersTests {
    @Test func credentialsAreWriteOnlyAndTheLastEventAndRefusalShow() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let empty = try await owner.get("/admin/settings/providers")
            #expect(empty.status == .ok)
            for provider in ProviderName.allCases {
                #expect(empty.text.contains("https://track.waymark.test/hooks/\(provider.rawValue)/acme"), "\(provider)")
            }
            #expect(empty.text.contains("https://track.waymark.test/hooks/shippo/acme?token=&lt;secret&gt;"))
            #expect(empty.text.contains("aria-current=\"page\">Providers<"))

            // A secret the generic feed cannot use is refused with the reason; nothing is stored.
            let refused = try await owner.post("/admin/settings/providers/waymark", [("secret", "not-a-standard-secret")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("whsec_ followed by base64"))
            #expect(try await fixture.database.providerAccounts(tenantID: tenantID).isEmpty)

            let saved = try await owner.post("/admin/settings/providers/aftership", [
                ("secret", ProviderHooksTests.aftershipSecret), ("api_key", "as-api-key-1"), ("register", "on"),
            ])
            #expect(saved.status == .seeOther)
            let account = try #require(try await fixture.database.providerAccounts(tenantID: tenantID).first { $0.provider == "aftership" })
            #expect(account.secret == ProviderHooksTests.aftershipSecret && account.apiKey == "as-api-key-1" && account.register)
            let page = try await owner.get("/admin/settings/providers?saved=aftership").text
            #expect(page.contains("AfterShip saved."))
            #expect(!page.contains(ProviderHooksTests.aftershipSecret) && !page.contains("as-api-key-1"), "write-only")

            // An empty field keeps what is stored; unticking turns registration off.
            #expect(try await owner.post("/admin/settings/providers/aftership", [("secret", ""), ("api_key", "")]).status == .seeOther)
            let kept = try #require(try await fixture.database.providerAccounts(tenantID: tenantID).first { $0.provider == "aftership" })
            #expect(kept.secret == ProviderHooksTests.aftershipSecret && kept.apiKey == "as-api-key-1" && !kept.register)

            // A generated Standard Webhooks secret is shown on the answer to the post, and never again.
            let generated = try await owner.post("/admin/settings/providers/waymark", [("generate_secret", "on")])
            #expect(generated.status == .ok)
            let secret = try #require(try await fixture.database.providerAccounts(tenantID: tenantID).first { $0.provider == "waymark" }?.secret)
            #expect(secret.hasPrefix("whsec_") && ProviderName.waymark.secretProblem(secret) == nil)
            #expect(generated.text.contains("value=\"\(secret)\""))
            #expect(!(try await owner.get("/admin/settings/providers").text.contains(secret)))

            // A webhook that verifies is the last event; one that does not is the last refusal, with why.
            let (body, headers) = ProviderHooksTests().aftership()
            #expect(try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: headers, body: body).status == .ok)
            var forged = headers
            forged[HTTPField.Name("aftership-hmac-sha256")!] = "AAAA"
            #expect(try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: forged, body: body).status == .unauthorized)
            let activity = try #require(try await fixture.database.providerActivity(tenantID: tenantID).first { $0.provider == "aftership" })
            #expect(activity.lastEventAt == fixture.clock.now)
            #expect(activity.lastRefusal?.reason.isEmpty == false)
            let watched = try await owner.get("/admin/settings/providers").text
            let section = try #require(watched.range(of: "id=\"provider-aftership\"")).upperBound
            let aftership = String(watched[section...]).components(separatedBy: "</section>")[0]
            #expect(aftership.contains("Last event received</dt><dd>\(AdminDate.format(fixture.clock.now))"))
            #expect(aftership.contains("Last refused webhook"))
            #expect(aftership.contains(try #require(activity.lastRefusal?.reason).replacingOccurrences(of: "'", with: "&#39;")))

            let audit = try await owner.get("/admin/audit").text
            #expect(audit.contains("provider aftership: set the secret, set the API key, registration on"))
            #expect(audit.contains("provider waymark: generated a new secret"))
            #expect(!audit.contains(ProviderHooksTests.aftershipSecret) && !audit.contains(secret))
        }
    }

    @Test func aFloodOfForgedWebhooksIsWrittenDownOnceAMinute() {
        let refusals = HookRefusals()
        let start = Fixture.now
        #expect(refusals.shouldRecord(tenantID: 1, provider: "aftership", at: start))
        #expect(!refusals.shouldRecord(tenantID: 1, provider: "aftership", at: start.addingTimeInterval(30)))
        #expect(refusals.shouldRecord(tenantID: 1, provider: "shippo", at: start.addingTimeInterval(30)), "each provider on its own")
        #expect(refusals.shouldRecord(tenantID: 2, provider: "aftership", at: start.addingTimeInterval(30)), "each tenant on its own")
        #expect(refusals.shouldRecord(tenantID: 1, provider: "aftership", at: start.addingTimeInterval(61)))
    }

    @Test func agentsAreKeptOutAndTenantsApart() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        let globexID = fixture.base.globex.tenant.id
        _ = try await fixture.database.setProviderAccount(tenantID: globexID, provider: "track123", secret: "globex-secret", apiKey: nil, register: true)
        try await fixture.database.recordRefusedHook(tenantID: globexID, provider: "track123", reason: "globex refusal", now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let page = try await owner.get("/admin/settings/providers").text
            #expect(!page.contains("globex refusal") && !page.contains("/hooks/track123/globex"))
            #expect(try await owner.post("/admin/settings/providers/track123", [("secret", "x")], withCSRF: false).status == .forbidden)
            #expect(try await owner.post("/admin/settings/providers/nosuch", [("secret", "x")]).status == .notFound)
            #expect(try await fixture.database.providerAccounts(tenantID: fixture.base.acme.tenant.id).isEmpty)

            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin/settings/providers").status == .forbidden)
            #expect(try await agent.post("/admin/settings/providers/track123", [("secret", "x")]).status == .forbidden)
        }
        #expect(try await fixture.database.providerAccounts(tenantID: globexID).first?.secret == "globex-secret")
    }
}
