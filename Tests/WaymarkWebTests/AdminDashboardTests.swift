import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

@Suite struct AdminDashboardTests {
    @Test func countsPageViewsOffTheRequestPathAndShowsTheDeflectionShare() async throws {
        let fixture = try await AdminFixture.make()
        let tenant = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            // Two views from an email's link and one typed in, counted in memory, written by a flush.
            for suffix in ["?src=email", "?src=email", ""] {
                #expect(try await client.execute(uri: fixture.base.acmeTrackingPath + suffix, method: .get) { $0.status } == .ok)
            }
            #expect(try await fixture.database.dashboard(tenantID: tenant, now: Fixture.now).viewed == 0, "nothing written before the flush")
            try await fixture.usage.flush(to: fixture.database)
            let figures = try await fixture.database.dashboard(tenantID: tenant, now: Fixture.now)
            #expect(figures.pageViews.last?.views == 3)
            #expect(figures.pageViews.last?.fromMessages == 2)
            #expect(figures.viewed == 1 && figures.viewedFromMessage == 1)
            #expect(figures.shipmentsInWindow == 1)

            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let page = try await owner.get("/admin")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\""))
            #expect(html.contains("<title id=\"chart-title\">Tracking-page views per day, last 30 days</title>"))
            #expect(html.contains("<th scope=\"row\">2026-11-27</th><td>3</td><td>2</td>"))
            #expect(html.contains("<strong>100 %</strong> <span>of the opened tracking pages were opened from a message&#39;s link (1 of 1).</span>")
                || html.contains("<strong>100 %</strong> <span>of the opened tracking pages were opened from a message's link (1 of 1).</span>"))
            #expect(html.contains("href=\"/admin/shipments?status=out_for_delivery\"><strong>1</strong>"))
            #expect(html.contains("href=\"/admin/shipments?attention=stalled\""))
        }
    }

    @Test func theDashboardSpeaksGermanAndJapanese() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let english = try await owner.get("/admin")
            for language in ["de", "ja"] {
                let page = try await owner.get("/admin?lang=\(language)")
                #expect(page.text.contains("<html lang=\"\(language)\">"))
                #expect(page.text != english.text)
                #expect(!page.text.contains("Needs attention"), "\(language) still shows English")
            }
            // The choice is remembered.
            #expect(try await owner.get("/admin/shipments").text.contains("<html lang=\"ja\">"))
        }
    }
}

@Suite struct AdminAPIKeyTests {
    @Test func aKeyIsShownOnceScopedAndRefusedTheMomentItIsRevoked() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            try await owner.get("/admin/api-keys")
            let created = try await owner.post("/admin/api-keys", [("name", "Help desk"), ("scope", "read_only")])
            #expect(created.status == .ok)
            let key = try #require(created.text.range(of: "id=\"new-key\" class=\"copyable\" readonly value=\"").map { String(created.text[$0.upperBound...].prefix { $0 != "\"" }) })
            #expect(key.hasPrefix("wm_"))
            #expect(!(try await owner.get("/admin/api-keys").text.contains(key)), "shown once")

            let bearer: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
            let id = fixture.base.acmeShipment.id
            #expect(try await client.execute(uri: "/api/v1/shipments/\(id)", method: .get, headers: bearer) { $0.status } == .ok)
            #expect(try await client.execute(uri: "/api/v1/shipments/\(id)", method: .delete, headers: bearer) { $0.status } == .forbidden)
            try await fixture.usage.flush(to: fixture.database)
            let stored = try #require(try await fixture.database.apiKeys(tenantID: fixture.base.acme.tenant.id).first { $0.name == "Help desk" })
            #expect(stored.lastUsedAt == Fixture.now)
            #expect(try await owner.get("/admin/api-keys").text.contains("2026-11-27 12:00 UTC</td>\n      <td>"), "last use shown")

            #expect(try await owner.post("/admin/api-keys/\(stored.id)/revoke").status == .seeOther)
            #expect(try await client.execute(uri: "/api/v1/shipments/\(id)", method: .get, headers: bearer) { $0.status } == .unauthorized)
        }
    }

    @Test func changesThroughTheAPIAreInTheAuditLogUnderTheKeysName() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(fixture.base.acme.apiKey)", .contentType: "application/json"]
            let body = ByteBuffer(string: #"{"tracking_number": "AUDIT123", "carrier": "ups"}"#)
            #expect(try await client.execute(uri: "/api/v1/shipments", method: .post, headers: bearer, body: body) { $0.status } == .created)
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let audit = try await owner.get("/admin/audit")
            #expect(audit.text.contains("API key Default key (\(fixture.base.acme.apiKey.prefix(11))…)"))
            #expect(audit.text.contains("POST /api/v1/shipments"))
            #expect(audit.text.contains("signed in"))
        }
    }

    @Test func theSupportReplyIsAvailableToHelpDesks() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            let bearer: HTTPFields = [.authorization: "Bearer \(fixture.base.acme.apiKey)"]
            let id = fixture.base.acmeShipment.id
            let german = try await client.execute(uri: "/api/v1/shipments/\(id)/support-reply?locale=de", method: .get, headers: bearer) { $0 }
            #expect(german.status == .ok)
            let reply = try JSONDecoder().decode([String: String].self, from: Data(german.text.utf8))
            let link = "https://track.waymark.test/acme/t/\(fixture.base.acmeShipment.token)?src=support"
            #expect(reply["locale"] == "de")
            #expect(reply["tracking_url"] == link)
            #expect(reply["text"] == "Sie können die Bestellung #ACME-1001 hier verfolgen: \(link)")
            #expect(reply["html"] == "<p>Sie können die Bestellung #ACME-1001 hier verfolgen: <a href=\"\(link)\">\(link)</a></p>")
            let bad = try await client.execute(uri: "/api/v1/shipments/\(id)/support-reply?locale=xx", method: .get, headers: bearer) { $0 }
            #expect(bad.status == .unprocessableContent)
            let other = try await client.execute(uri: "/api/v1/shipments/\(fixture.base.globexShipment.id)/support-reply", method: .get, headers: bearer) { $0 }
            #expect(other.status == .notFound)
        }
    }
}
