import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// The admin through its router: sign-in and sessions, CSRF, roles, tenant isolation, and each
/// page's content. `Fixture`'s base URL is https, so cookies are `__Host-` and `Secure`.
@Suite struct AdminAuthTests {
    @Test func signingInSetsAHostOnlySessionCookieAndANewIdEachTime() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            let page = try await browser.get("/admin/login")
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"csrf\""))
            #expect(browser.lastSetCookies.contains { $0.hasPrefix("__Host-waymark_form=") && $0.contains("Secure") && $0.contains("HttpOnly") })
            try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", AdminFixture.password)])
            let cookie = try #require(browser.lastSetCookies.first { $0.hasPrefix("__Host-waymark_session=") })
            for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] { #expect(cookie.contains(attribute), "\(attribute) in \(cookie)") }
            #expect(!cookie.contains("Domain="))
            let first = try #require(browser.cookies["__Host-waymark_session"])
            let home = try await browser.get("/admin")
            #expect(home.status == .ok)
            // The admin's own policy: its script and nothing else; never cached.
            #expect(home.headers[.contentSecurityPolicy] == AdminMiddleware.contentSecurityPolicy)
            #expect(home.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(home.headers[.cacheControl] == "no-store")
            #expect(home.headers[.xFrameOptions] == "DENY")

            // Signing in again from the same browser: a new id, and the old one is dead.
            try await browser.signIn("owner@acme.test")
            let second = try #require(browser.cookies["__Host-waymark_session"])
            #expect(first != second)
            var stale = AdminBrowser(client)
            stale.cookies["__Host-waymark_session"] = first
            #expect(try await stale.get("/admin").status == .seeOther)
        }
    }

    @Test func aWrongPasswordAndAnUnknownAccountGetTheSameAnswer() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.get("/admin/login")
            let wrong = try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", "not the password")])
            let unknown = try await browser.post("/admin/login", [("email", "nobody@acme.test"), ("password", "not the password")])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            func message(_ html: String) -> String? { html.range(of: "role=\"alert\">").map { String(html[$0.upperBound...].prefix { $0 != "<" }) } }
            #expect(message(wrong.text) == message(unknown.text))
            #expect(message(wrong.text) != nil)
            #expect(browser.cookies["__Host-waymark_session"] == nil)
        }
    }

    @Test func signInAttemptsAreThrottledPerAccountAndAddress() async throws {
        // Two a minute, on the test's clock (which stands still until moved).
        let fixture = try await AdminFixture.make { $0.loginsPerMinutePerAccount = 2 }
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.get("/admin/login")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                statuses.append(try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", "guess guess guess")]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
            // Another account is not held back by these attempts.
            #expect(try await browser.post("/admin/login", [("email", "owner@globex.test"), ("password", "guess guess guess")]).status == .unauthorized)
            // Half a minute later, one more try: nobody is locked out for longer.
            fixture.clock.advance(30)
            #expect(try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", AdminFixture.password)]).status == .seeOther)
        }
    }

    @Test func formsWithoutTheRightCSRFTokenAreRefusedAndChangeNothing() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.get("/admin/login")
            #expect(try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", AdminFixture.password)], withCSRF: false).status == .forbidden)
            #expect(try await browser.post("/admin/login", [("email", "owner@acme.test"), ("password", AdminFixture.password)], csrf: "x").status == .forbidden)
            try await browser.signIn("owner@acme.test")
            let before = try await fixture.database.apiKeys(tenantID: fixture.base.acme.tenant.id).count
            let refused = try await browser.post("/admin/api-keys", [("name", "CSRF"), ("scope", "read_write")], csrf: AdminSecret.make())
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("<h1>Not allowed</h1>"))
            #expect(try await fixture.database.apiKeys(tenantID: fixture.base.acme.tenant.id).count == before)
            // The token of another session is no good either.
            var other = AdminBrowser(client)
            try await other.signIn("owner@acme.test")
            #expect(try await browser.post("/admin/api-keys", [("name", "CSRF"), ("scope", "read_write")], csrf: other.csrf).status == .forbidden)
        }
    }

    @Test func signedOutPagesLeadToSignInAndFormsAreRefused() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            let page = try await browser.get("/admin/shipments")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/admin/login?next=%2Fadmin%2Fshipments")
            #expect(try await browser.post("/admin/logout").status == .forbidden)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.signIn("owner@acme.test")
            let session = try #require(browser.cookies["__Host-waymark_session"])
            try await browser.get("/admin")
            #expect(try await browser.post("/admin/logout").status == .seeOther)
            var replay = AdminBrowser(client)
            replay.cookies["__Host-waymark_session"] = session
            #expect(try await replay.get("/admin").status == .seeOther)
        }
    }

    @Test func sessionsExpireWhenIdleForTwoHoursAndAfterTwelveInAll() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var idle = AdminBrowser(client)
            try await idle.signIn("owner@acme.test")
            fixture.clock.advance(2 * 3600 - 60)
            #expect(try await idle.get("/admin").status == .ok, "active just inside the idle limit")
            fixture.clock.advance(2 * 3600 + 1)
            #expect(try await idle.get("/admin").status == .seeOther, "idle for over two hours")

            var busy = AdminBrowser(client)
            try await busy.signIn("owner@acme.test")
            for _ in 0..<11 {
                fixture.clock.advance(3600)
                #expect(try await busy.get("/admin").status == .ok)
            }
            fixture.clock.advance(3600 + 1)
            #expect(try await busy.get("/admin").status == .seeOther, "twelve hours after signing in")
        }
    }

    @Test func sessionsAreListedAndCanBeEnded() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var laptop = AdminBrowser(client)
            try await laptop.signIn("owner@acme.test")
            var phone = AdminBrowser(client)
            try await phone.signIn("owner@acme.test")
            let list = try await laptop.get("/admin/sessions")
            #expect(list.status == .ok)
            let ends = list.text.components(separatedBy: "/admin/sessions/").dropFirst().compactMap { $0.split(separator: "/").first.map(String.init) }
            #expect(ends.count == 2)
            #expect(list.text.contains("(this one)"))
            // End the other one (the phone's, the newer), from the laptop.
            let newest = try #require(ends.map { Int64($0) ?? 0 }.max())
            #expect(try await laptop.post("/admin/sessions/\(newest)/end").status == .seeOther)
            #expect(try await phone.get("/admin").status == .seeOther)
            #expect(try await laptop.get("/admin").status == .ok)
        }
    }

    @Test func aPasswordIsResetByASingleUseEmailedLink() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.get("/admin/password/forgot")
            let known = try await browser.post("/admin/password/forgot", [("email", "owner@acme.test")])
            let unknown = try await browser.post("/admin/password/forgot", [("email", "nobody@acme.test")])
            #expect(known.status == .ok && unknown.status == .ok)
            #expect(known.text.contains("a link is on its way") && unknown.text.contains("a link is on its way"))
            var link: String?
            for _ in 0..<100 where link == nil {
                link = fixture.mail.link(to: "owner@acme.test")
                if link == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let url = try #require(link)
            let path = String(url.dropFirst("https://track.waymark.test".count))
            #expect(fixture.mail.messages.withLock { $0.count } == 1, "no mail for an unknown address")

            #expect(try await browser.get(path).status == .ok)
            let short = try await browser.post(path, [("password", "short"), ("confirm", "short")])
            #expect(short.status == .unprocessableContent)
            #expect(try await browser.post(path, [("password", "a brand new password"), ("confirm", "a brand new password")]).status == .seeOther)
            #expect(try await browser.get(path).status == .gone, "used once")
            try await browser.signIn("owner@acme.test", password: "a brand new password")
        }
    }

    @Test func aResetLinkDiesAfterThirtyMinutes() async throws {
        let fixture = try await AdminFixture.make()
        let secret = AdminSecret.make()
        _ = try await fixture.database.createPasswordReset(email: "owner@acme.test", secretDigest: AdminSecret.digest(secret), now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            fixture.clock.advance(29 * 60)
            let live = try await browser.get("/admin/password/reset/\(secret)")
            #expect(live.status == .ok)
            fixture.clock.advance(2 * 60)
            let dead = try await browser.get("/admin/password/reset/\(secret)")
            #expect(dead.status == .gone)
        }
    }
}
