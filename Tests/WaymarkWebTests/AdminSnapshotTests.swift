import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
@testable import WaymarkWeb

/// Each admin page as the owner sees it on the fixture, on the pinned clock, committed under
/// `Snapshots/admin-*.html`. Random values (CSRF tokens, ids, tracking tokens) are replaced by
/// names first, so a snapshot changes only when the page does.
@Suite struct AdminSnapshotTests {
    static let pages: [(path: String, name: String)] = [
        ("/admin", "admin-dashboard"), ("/admin/shipments", "admin-shipments"), ("/admin/shipments/{acme}", "admin-shipment"),
        ("/admin/shipments/{acme}?reply=ja", "admin-shipment-reply-ja"), ("/admin/team", "admin-team"), ("/admin/api-keys", "admin-api-keys"),
        ("/admin/audit", "admin-audit"), ("/admin/sessions", "admin-sessions"), ("/admin/data", "admin-data"),
        ("/admin?lang=de", "admin-dashboard-de"), ("/admin/shipments?lang=ja", "admin-shipments-ja"),
        ("/admin/settings/notifications", "admin-notifications"), ("/admin/settings/branding", "admin-branding"),
        ("/admin/webhooks", "admin-webhooks"), ("/admin/templates", "admin-templates"), ("/admin/templates/email/delivered/en", "admin-template-email"),
        ("/admin/templates/sms/stalled/ja?lang=ja", "admin-template-sms-ja"), ("/admin/templates/page/banner/de?lang=de", "admin-template-banner-de"),
        ("/admin/templates/email/delivered/en/preview", "admin-template-preview-email"),
        ("/admin/templates/page/header/en/preview?status=out_for_delivery", "admin-template-preview-page"),
        ("/admin/settings/providers", "admin-providers"), ("/admin/settings/domain", "admin-domain"),
        ("/admin/settings/after-delivery", "admin-after-delivery"),
    ]

    @Test func everyAdminPageMatchesItsSnapshot() async throws {
        let fixture = try await AdminFixture.make()
        // Settings pages with something to show: a provider set up and refused once, a domain
        // waiting for its record, a review link and a product.
        let acme = fixture.base.acme.tenant.id
        _ = try await fixture.database.setProviderAccount(tenantID: acme, provider: "aftership", secret: "s3cret", apiKey: "key", register: true, now: Fixture.now)
        try await fixture.database.recordRefusedHook(tenantID: acme, provider: "aftership", reason: "The signature does not match the body.", now: Fixture.now)
        _ = try await fixture.database.claimDomain(tenantID: acme, domain: "track.acme-shop.test", token: "SNAPSHOT-token-0123456789", now: Fixture.now)
        _ = try await fixture.database.setAfterDeliveryLinks(tenantID: acme, AfterDeliveryLinks(
            review: .init(title: "Review us", url: "https://reviews.acme.test/write"),
            products: [.init(title: "Trail socks", imageURL: "https://cdn.acme.test/socks.jpg", url: "https://shop.acme.test/socks")]), now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            let login = try await owner.get("/admin/login")
            try Snapshot.expect(Self.normalized(login.text, fixture), matches: "admin-login.html")
            try await owner.signIn("owner@acme.test")
            for (path, name) in Self.pages {
                let page = try await owner.get(path.replacingOccurrences(of: "{acme}", with: fixture.base.acmeShipment.id))
                #expect(page.status == .ok, "\(path)")
                try Snapshot.expect(Self.normalized(page.text, fixture), matches: "\(name).html")
            }
            // The editor refusing a section, each problem beside its line.
            let refused = try await owner.post("/admin/templates/page/footer/en", [
                ("body", "<p>Questions?\n<a href=\"javascript:alert(1)\" onclick=\"x()\">Ask</a></p>\n<div>{{shopper}}"), ("action", "save"),
            ])
            #expect(refused.status == .unprocessableContent)
            try Snapshot.expect(Self.normalized(refused.text, fixture), matches: "admin-template-problems.html")
        }
    }

    static func normalized(_ html: String, _ fixture: AdminFixture) -> String {
        var text = html
            .replacingOccurrences(of: fixture.base.acmeShipment.id, with: "shp_ACME")
            .replacingOccurrences(of: fixture.base.acmeShipment.token, with: "TOKEN")
        for (pattern, name) in [("name=\"csrf\" value=\"[A-Za-z0-9_-]+\"", "name=\"csrf\" value=\"CSRF\""), ("/admin/sessions/[0-9]+/end", "/admin/sessions/N/end"),
                                ("msg_[A-Za-z0-9_-]+", "msg_ID"), ("wm_[A-Za-z0-9_-]{8}…", "wm_KEY…")] {
            text = text.replacingOccurrences(of: pattern, with: name, options: .regularExpression)
        }
        return text
    }
}
