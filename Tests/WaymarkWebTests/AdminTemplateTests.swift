import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// The template editor through the router: saving with the one check, the preview frame and its
/// policy, the history with a diff, restore and reset, test sends, roles and isolation.
@Suite struct AdminTemplateTests {
    static let banner = "/admin/templates/page/banner/en"

    @Test func aRefusedSectionNamesItsLineAndChangesNothing() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.get(Self.banner).status == .ok)
            let refused = try await owner.post(Self.banner, [("body", "<p>Holiday hours</p>\r\n<script>alert(1)</script>"), ("action", "save")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("line 2, column 1: &lt;script&gt; is not allowed"))
            #expect(refused.text.contains("aria-invalid=\"true\""))
            #expect(try await fixture.database.pageSections(tenantID: fixture.base.acme.tenant.id, locale: "en").isEmpty)
            #expect(try await fixture.database.templateVersions(tenantID: fixture.base.acme.tenant.id, slot: TemplateSlot(.page(.banner), locale: "en"), limit: 10).isEmpty)
        }
    }

    @Test func aSavedSectionShowsInThePreviewAndThenOnTheLivePage() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let before = try await owner.get(fixture.base.acmeTrackingPath).text
            let body = "<p class=\"holiday\">Orders after Dec 18 arrive in January, {{merchantName}}.</p>"
            let previewed = try await owner.post(Self.banner, [("body", body), ("action", "preview"), ("status", "delivered")])
            #expect(previewed.status == .ok)
            let frame = try #require(previewed.text.firstMatch(of: /src="(\/admin\/templates\/page\/banner\/en\/preview\?status=delivered&amp;draft=[^"]+)"/)?.1)
            let preview = try await owner.get(String(frame).replacingOccurrences(of: "&amp;", with: "&"))
            #expect(preview.status == .ok)
            #expect(preview.text.contains("<div class=\"merchant-banner\"><p class=\"holiday\">Orders after Dec 18 arrive in January, Acme Outfitters.</p></div>"))
            #expect(preview.headers[.contentSecurityPolicy]?.hasPrefix("sandbox; default-src 'none'") == true)
            #expect(preview.headers[.contentSecurityPolicy]?.contains("script-src") == false)
            #expect(preview.headers[HTTPField.Name("X-Frame-Options")!] == "SAMEORIGIN")
            // Previewing saved nothing; saving does, and the live page shows it at once.
            #expect(!(try await owner.get(fixture.base.acmeTrackingPath).text.contains("holiday")))
            let saved = try await owner.post(Self.banner, [("body", body), ("action", "save")])
            #expect(saved.status == .seeOther)
            let live = try await owner.get(fixture.base.acmeTrackingPath).text
            #expect(live.contains("<p class=\"holiday\">Orders after Dec 18 arrive in January, Acme Outfitters.</p>"))
            #expect(!before.contains("merchant-banner"))
            // The page a tracking number alone opens is the same page, with the same sections.
            let byNumber = try await client.execute(
                uri: "/acme/lookup", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "tracking_number=\(fixture.base.acmeShipment.trackingNumber)")) { $0 }
            #expect(byNumber.status == .ok)
            #expect(String(buffer: byNumber.body).contains("<p class=\"holiday\">Orders after Dec 18 arrive in January, Acme Outfitters.</p>"))
            let audit = try await owner.get("/admin/audit").text
            #expect(audit.contains("saved template page/banner/en"))
        }
    }

    @Test func historyDiffRestoreAndReset() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        let path = "/admin/templates/sms/delivered/en"
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let first = try await owner.get(path)
            #expect(first.text.contains("{{merchantName}}"))  // Waymark's own text to start from
            #expect(try await owner.post(path, [("body", "{{merchantName}}: delivered! {{trackURL}}"), ("action", "save")]).status == .seeOther)
            #expect(try await owner.post(path, [("body", "{{merchantName}}: it is there. {{trackURL}}"), ("action", "save")]).status == .seeOther)
            let versions = try await fixture.database.templateVersions(tenantID: tenantID, slot: TemplateSlot(.message(.sms, name: "delivered"), locale: "en"), limit: 10)
            #expect(versions.map(\.author) == ["owner@acme.test", "owner@acme.test"])

            let diff = try await owner.get("\(path)?from=\(versions[1].id)&to=\(versions[0].id)").text
            #expect(diff.contains("<tr class=\"diff-removed\"><td>1</td><td></td>"))
            #expect(diff.contains("{{merchantName}}: delivered! {{trackURL}}"))
            #expect(diff.contains("<tr class=\"diff-added\"><td></td><td>1</td>"))

            #expect(try await owner.post("\(path)/restore", [("version", String(versions[1].id))]).status == .seeOther)
            #expect(try await fixture.database.messageTemplate(tenantID: tenantID, channel: .sms, name: "delivered", locale: "en")?.body
                == "{{merchantName}}: delivered! {{trackURL}}")
            #expect(try await owner.post("\(path)/restore", [("version", "default")]).status == .seeOther)
            #expect(try await fixture.database.messageTemplate(tenantID: tenantID, channel: .sms, name: "delivered", locale: "en") == nil)
            let history = try await fixture.database.templateVersions(tenantID: tenantID, slot: TemplateSlot(.message(.sms, name: "delivered"), locale: "en"), limit: 10)
            #expect(history.count == 4)
            #expect(history.first?.isReset == true)
            #expect(try await owner.get(path).text.contains("reset to default"))
        }
    }

    @Test func anEmailCanBeBrokenFixedAndSentAsATestToYourself() async throws {
        let fixture = try await AdminFixture.make()
        let path = "/admin/templates/email/out_for_delivery/de"
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let broken = try await owner.post(path, [
                ("subject", "{{headline}} {{shopperName}}"), ("body", "{{<emails.layout}}{{$extra}}<p><b>Hallo</p>{{/extra}}{{/emails.layout}}"),
                ("action", "save"),
            ])
            #expect(broken.status == .unprocessableContent)
            #expect(broken.text.contains("Subject · line 1: {{shopperName}} is not a field"))
            #expect(broken.text.contains("&lt;b&gt; is never closed"))
            let fixed = try await owner.post(path, [
                ("subject", "{{headline}} – {{merchantName}}"), ("body", "{{<emails.layout}}{{$extra}}<p><b>Hallo</b></p>{{/extra}}{{/emails.layout}}"),
                ("text", "{{headline}}\n{{trackURL}}"), ("action", "test"),
            ])
            #expect(fixed.status == .ok)
            #expect(fixed.text.contains("owner@acme.test"))
            let sent = try #require(fixture.mail.messages.withLock { $0.last })
            #expect(sent.to == "owner@acme.test")
            #expect(sent.text.contains("Subject: =?UTF-8?B?W1Rlc3Rd"))  // "[Test] …", encoded for its dash
            #expect(sent.text.contains("<p><b>Hallo</b></p>"))
            // A test send saves nothing.
            #expect(try await fixture.database.messageTemplate(tenantID: fixture.base.acme.tenant.id, channel: .email, name: "out_for_delivery", locale: "de") == nil)
        }
    }

    @Test func agentsAreKeptOutAndOtherTenantsVersionsAreNotFound() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        let globex = fixture.base.globex.tenant.id
        try await fixture.database.setPageSection(tenantID: globex, section: .banner, locale: "en", body: "<p>Globex only</p>", author: "owner@globex.test", now: Fixture.now)
        let globexVersion = try #require(try await fixture.database.templateVersions(tenantID: globex, slot: TemplateSlot(.page(.banner), locale: "en"), limit: 1).first)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin/templates").status == .forbidden)
            #expect(try await agent.get(Self.banner).status == .forbidden)
            #expect(try await agent.get(Self.banner + "/preview").status == .forbidden)
            #expect(try await agent.post(Self.banner, [("body", "<p>x</p>"), ("action", "save")]).status == .forbidden)

            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.post(Self.banner + "/restore", [("version", String(globexVersion.id))]).status == .notFound)
            #expect(!(try await owner.get("\(Self.banner)?from=\(globexVersion.id)&to=\(globexVersion.id)").text.contains("Globex only")))
            #expect(!(try await owner.get(Self.banner + "/preview").text.contains("Globex only")))
            #expect(try await owner.get("/admin/templates/page/sidebar/en").status == .notFound)
            #expect(try await owner.get("/admin/templates/email/delivered/xx").status == .notFound)
            #expect(try await owner.get("/admin/templates/webhook/delivered/en").status == .notFound)
            #expect(try await owner.post(Self.banner, [("body", "<p>x</p>"), ("action", "save")], withCSRF: false).status == .forbidden)
        }
    }

    @Test func theListMarksWhatWasChanged() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.database.setPageSection(
            tenantID: fixture.base.acme.tenant.id, section: .footer, locale: "de", body: "<p>Fragen?</p>", author: "owner@acme.test", now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let german = try await owner.get("/admin/templates?locale=de").text
            #expect(german.contains("href=\"/admin/templates/page/footer/de\">Edit<span class=\"visually-hidden\"> Footer</span></a> <span class=\"tag\">Customized</span>"))
            #expect(german.contains("href=\"/admin/templates/email/delivered/de\""))
            let english = try await owner.get("/admin/templates?locale=en").text
            #expect(!english.contains("Customized</span>"))
        }
    }
}
