import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/settings/branding`: logo uploads judged by their bytes (and SVGs by what they hold),
/// colours with their contrast, font, custom CSS, the dated announcement and link previews.
@Suite struct AdminBrandingTests {
    static let path = "/admin/settings/branding"
    /// The smallest PNG: a 1×1 transparent pixel.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
        0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
    static let cleanSVG = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/></svg>"#

    /// The form as the page fills it for the fixture tenant, with `changes` applied.
    static func form(_ changes: [String: String] = [:]) -> [(String, String)] {
        var fields = ["primary_color": "#7c2d12", "accent_color": "#0e7c4a", "font": "system", "logo_url": "https://cdn.acme.test/logo.png"]
        for (name, value) in changes { fields[name] = value }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    @Test func aLogoIsJudgedByItsBytesAndServedWithItsOwnType() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            try await owner.get(Self.path)
            #expect(try await owner.upload(Self.path + "/logo", field: "logo", filename: "logo.png", contentType: "image/png", bytes: Self.png).status == .seeOther)
            let tenant = try #require(try await fixture.database.tenant(slug: "acme"))
            let file = try #require(tenant.branding.logoFile)
            #expect(file.hasSuffix(".png"))
            let served = try await client.execute(uri: "/acme/logo/\(file)", method: .get) { $0 }
            #expect(served.status == .ok)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(Array(buffer: served.body) == Self.png)
            let page = try await owner.get(fixture.base.acmeTrackingPath).text
            #expect(page.contains("src=\"/acme/logo/\(file)\""))
            #expect(page.contains("<meta property=\"og:image\" content=\"https://track.waymark.test/acme/logo/\(file)\">"))

            // What the bytes are decides, not the name: refused with the reason, nothing changed.
            for (name, bytes, reason) in [
                ("logo.png", Array(#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8), "holds &lt;script&gt;"),
                ("logo.svg", Array(#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.utf8), "event handler (onload)"),
                ("logo.svg", Array(#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://evil.test/a.png"/></svg>"#.utf8), "outside the file"),
                ("logo.svg", Array(#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>"#.utf8), "holds &lt;foreignObject&gt;"),
                ("logo.svg", Array(#"<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>"#.utf8), "DOCTYPE"),
                ("logo.png", Array("just some text".utf8), "not a PNG, JPEG, WebP or SVG"),
                ("big.png", Self.png + [UInt8](repeating: 0, count: 520 * 1024), "a logo may have at most 512 KB"),
                ("huge.png", Self.png + [UInt8](repeating: 0, count: 2 * 1024 * 1024), ""),
            ] as [(String, [UInt8], String)] {
                let refused = try await owner.upload(Self.path + "/logo", field: "logo", filename: name, contentType: "image/png", bytes: bytes)
                if reason.isEmpty {
                    #expect(refused.status == .contentTooLarge)
                } else {
                    #expect(refused.status == .unprocessableContent, "\(name)")
                    #expect(refused.text.contains(reason), "\(name): \(reason)")
                }
                try await owner.get(Self.path)
            }
            #expect(try await fixture.database.tenant(slug: "acme")?.branding.logoFile == file)

            #expect(try await owner.upload(Self.path + "/logo", field: "logo", filename: "logo.svg", contentType: "image/svg+xml", bytes: Array(Self.cleanSVG.utf8)).status == .seeOther)
            let svgFile = try #require(try await fixture.database.tenant(slug: "acme")?.branding.logoFile)
            let svg = try await client.execute(uri: "/acme/logo/\(svgFile)", method: .get) { $0 }
            #expect(svg.headers[.contentType] == "image/svg+xml")
            #expect(svg.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
            #expect(try await owner.get("/admin/audit").text.contains("uploaded a logo (image/svg+xml"))
        }
    }

    @Test func lowContrastIsWarnedAndTheStylesheetCarriesFontCSSAndColours() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let saved = try await owner.post(Self.path, Self.form([
                "primary_color": "#ffff00", "font": "serif", "custom_css": ".status-card h1 { letter-spacing: .02em; }",
            ]))
            #expect(saved.status == .seeOther)
            let page = try await owner.get(Self.path).text
            #expect(page.contains("Below WCAG AA (1.1:1): the page will use #"))
            let theme = try await client.execute(uri: "/acme/theme.css", method: .get) { $0 }.body
            let css = String(buffer: theme)
            #expect(css.contains("--font: Charter"))
            #expect(css.contains(".status-card h1 { letter-spacing: .02em; }"))
            #expect(!css.contains("--brand: #ffff00"))
            #expect(try await owner.get("/admin/audit").text.contains("changed branding: primary colour #ffff00, font serif, custom CSS"))

            for (changes, reason) in [
                (["custom_css": "@import url(https://evil.test/x.css);"], "@import"),
                (["custom_css": "body { background: url(https://evil.test/x.png) }"], "loads from another site"),
                (["primary_color": "red"], "write a colour as #rrggbb"),
                (["og_image_url": "http://acme.test/og.png"], "use an https:// address"),
                (["support_url": "https://127.0.0.1/help"], "Support page"),
                (["announcement_text": "Closed", "announcement_starts": "2026-12-24", "announcement_ends": "2026-12-20"], "last day is before its first"),
            ] as [([String: String], String)] {
                let refused = try await owner.post(Self.path, Self.form(changes))
                #expect(refused.status == .unprocessableContent, "\(changes)")
                #expect(refused.text.contains(reason), "\(changes): \(reason)")
            }
        }
    }

    @Test func theAnnouncementRunsBetweenItsDaysAndSupportContactsShow() async throws {
        let fixture = try await AdminFixture.make()  // the clock stands at 2026-11-27
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.post(Self.path, Self.form([
                "announcement_text": "Holiday hours: support answers within 2 days.", "announcement_starts": "2026-11-20", "announcement_ends": "2026-11-30",
                "support_url": "https://acme.test/help", "support_phone": "+1 415 555 0100", "og_image_url": "https://cdn.acme.test/og.png",
            ])).status == .seeOther)
            let page = try await owner.get(fixture.base.acmeTrackingPath).text
            #expect(page.contains("<p class=\"announcement\">Holiday hours: support answers within 2 days.</p>"))
            #expect(page.contains("<a href=\"tel:+14155550100\">+14155550100</a>"))
            #expect(page.contains("<meta property=\"og:image\" content=\"https://cdn.acme.test/og.png\">"))
            #expect(try await owner.post(Self.path, Self.form([
                "announcement_text": "Old news", "announcement_starts": "2026-11-01", "announcement_ends": "2026-11-26",
            ])).status == .seeOther)
            #expect(!(try await owner.get(fixture.base.acmeTrackingPath).text.contains("Old news")))
        }
    }

    @Test func agentsGetForbidden() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get(Self.path).status == .forbidden)
            #expect(try await agent.upload(Self.path + "/logo", field: "logo", filename: "logo.png", contentType: "image/png", bytes: Self.png).status == .forbidden)
        }
    }
}
