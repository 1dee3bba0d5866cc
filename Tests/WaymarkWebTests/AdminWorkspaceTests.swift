import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// Roles, tenant isolation, and what each admin page shows and does.
@Suite struct AdminRoleTests {
    @Test func anAgentHasTheSupportWorkspaceAndNothingElse() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin").headers[.location] == "/admin/shipments")
            #expect(try await agent.get("/admin/shipments").status == .ok)
            #expect(try await agent.get("/admin/shipments/\(fixture.base.acmeShipment.id)").status == .ok)
            #expect(try await agent.get("/admin/sessions").status == .ok)
            for page in ["/admin/team", "/admin/api-keys", "/admin/audit", "/admin/data"] {
                #expect(try await agent.get(page).status == .forbidden, "\(page)")
            }
            try await agent.get("/admin/shipments")
            #expect(try await agent.post("/admin/api-keys", [("name", "mine"), ("scope", "read_write")]).status == .forbidden)
            #expect(try await agent.post("/admin/team/invitations", [("email", "x@acme.test"), ("role", "owner")]).status == .forbidden)
            #expect(try await agent.post("/admin/data", [("confirm", "acme")]).status == .forbidden)
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.base.acme.tenant.id) == 1)
        }
    }

    @Test func anAdminManagesKeysButNotTheTeam() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("admin@acme.test", role: .admin, tenant: fixture.base.acme)
        try await fixture.app().test(.router) { client in
            var admin = AdminBrowser(client)
            try await admin.signIn("admin@acme.test")
            #expect(try await admin.get("/admin").status == .ok)
            #expect(try await admin.get("/admin/api-keys").status == .ok)
            #expect(try await admin.get("/admin/audit").status == .ok)
            #expect(try await admin.get("/admin/team").status == .forbidden)
        }
    }

    @Test func theLastOwnerCannotBeDemotedOrRemoved() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let team = try await owner.get("/admin/team")
            #expect(team.text.contains("owner@acme.test"))
            let demote = try await owner.post("/admin/team/members/1/role", [("role", "agent")])
            #expect(demote.status == .conflict)
            #expect(try await owner.post("/admin/team/members/1/remove").status == .conflict)
        }
    }

    @Test func anInvitedAgentJoinsByTheLinkAndSignsIn() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            try await owner.get("/admin/team")
            let invited = try await owner.post("/admin/team/invitations", [("email", "New.Agent@acme.test"), ("role", "agent")])
            #expect(invited.status == .ok)
            #expect(invited.text.contains("Invitation sent to new.agent@acme.test"))
            let url = try #require(fixture.mail.link(to: "new.agent@acme.test"))
            #expect(invited.text.contains(url))
            let path = String(url.dropFirst("https://track.waymark.test".count))

            var agent = AdminBrowser(client)
            let page = try await agent.get(path)
            #expect(page.status == .ok)
            #expect(page.text.contains("Acme Outfitters"))
            #expect(try await agent.post(path, [("password", "agent password 1"), ("confirm", "agent password 1")]).status == .seeOther)
            #expect(try await agent.get(path).status == .gone, "single use")
            try await agent.signIn("new.agent@acme.test", password: "agent password 1")
            #expect(try await agent.get("/admin/team").status == .forbidden)
            let audit = try await owner.get("/admin/audit")
            #expect(audit.text.contains("invited new.agent@acme.test as agent"))
            #expect(audit.text.contains("accepted invitation as agent"))
        }
    }

    @Test func aPersonInTwoTenantsSwitchesBetweenThem() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("owner@acme.test", role: .agent, tenant: fixture.base.globex)
        try await fixture.app().test(.router) { client in
            var browser = AdminBrowser(client)
            try await browser.signIn("owner@acme.test")
            let home = try await browser.get("/admin")
            #expect(home.text.contains("<option value=\"\(fixture.base.globex.tenant.id)\""))
            #expect(try await browser.post("/admin/tenant", [("tenant", String(fixture.base.globex.tenant.id))]).headers[.location] == "/admin/shipments")
            let globex = try await browser.get("/admin/shipments")
            #expect(globex.text.contains("G-77"))
            #expect(!globex.text.contains("ACME-1001"))
            #expect(try await browser.get("/admin/team").status == .forbidden, "an agent at Globex")
        }
    }
}

@Suite struct AdminIsolationTests {
    /// Acme's owner tries every id of Globex's it could learn or guess.
    @Test func aSessionOfOneTenantCannotReachAnothersRows() async throws {
        let fixture = try await AdminFixture.make()
        let globex = fixture.base.globex.tenant.id
        let globexKey = try #require(try await fixture.database.apiKeys(tenantID: globex).first)
        let invitation = try await fixture.database.createInvitation(
            tenantID: globex, email: "x@globex.test", role: .agent, invitedBy: 2, secretDigest: AdminSecret.digest(AdminSecret.make()), now: Fixture.now)
        try await fixture.database.recordAudit(AuditEvent(tenantID: globex, actor: "owner@globex.test", action: "globex secret change"), now: Fixture.now)
        try await fixture.app().test(.router) { client in
            var globexOwner = AdminBrowser(client)
            try await globexOwner.signIn("owner@globex.test")
            var acme = AdminBrowser(client)
            try await acme.signIn("owner@acme.test")
            let shipment = fixture.base.globexShipment.id
            #expect(try await acme.get("/admin/shipments/\(shipment)").status == .notFound)
            #expect(try await acme.post("/admin/shipments/\(shipment)/reveal").status == .notFound)
            #expect(try await acme.post("/admin/shipments/\(shipment)/resend", [("delivery", "msg_x")]).status == .notFound)
            for query in ["G-77", "max@example.de", "00340434161094042557", "0034043"] {
                let found = try await acme.get("/admin/shipments?q=\(query)")
                #expect(!found.text.contains(shipment), "\(query)")
            }
            #expect(try await acme.post("/admin/api-keys/\(globexKey.id)/revoke").status == .notFound)
            #expect(try await fixture.database.apiKeys(tenantID: globex).first?.revokedAt == nil)
            #expect(try await acme.post("/admin/team/members/2/role", [("role", "agent")]).status == .notFound)
            #expect(try await acme.post("/admin/team/members/2/remove").status == .notFound)
            #expect(try await acme.post("/admin/team/invitations/\(invitation.id)/revoke").status == .notFound)
            #expect(try await acme.post("/admin/tenant", [("tenant", String(globex))]).status == .forbidden)
            let globexSessions = try await fixture.database.sessions(userID: 2, lifetime: SessionLifetime(), now: fixture.clock.now)
            for session in globexSessions {
                #expect(try await acme.post("/admin/sessions/\(session.id)/end").status == .notFound)
            }
            #expect(try await globexOwner.get("/admin").status == .ok, "Globex's owner is still signed in")
            #expect(!(try await acme.get("/admin/audit").text.contains("globex secret change")))
            #expect(try await fixture.database.teamMembers(tenantID: globex).first?.role == .owner)
        }
    }
}

@Suite struct AdminWorkspaceTests {
    @Test(arguments: ["ACME-1001", "acme-1001", "ACME-10", "1Z999AA10123456784", "1z999aa", "jane@example.com", "JANE@EXAMPLE.COM", "jane@", "+14155550123", "+1415555"])
    func findsAShipmentByOrderTrackingNumberEmailOrPhone(query: String) async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let allowed = CharacterSet.alphanumerics
            let found = try await agent.get("/admin/shipments?q=\(query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query)")
            #expect(found.status == .ok)
            #expect(found.text.contains("/admin/shipments/\(fixture.base.acmeShipment.id)"), "\(query)")
            #expect(found.text.contains("<td>j•••@example.com</td>"), "contact masked in the list")
        }
    }

    @Test func shortTextMatchesOnlyExactlyAndFiltersNarrow() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let id = fixture.base.acmeShipment.id
            #expect(!(try await agent.get("/admin/shipments?q=AC").text.contains(id)))
            #expect(try await agent.get("/admin/shipments?status=out_for_delivery").text.contains(id))
            #expect(!(try await agent.get("/admin/shipments?status=delivered").text.contains(id)))
            #expect(try await agent.get("/admin/shipments?carrier=ups&sort=oldest").text.contains(id))
            #expect(!(try await agent.get("/admin/shipments?carrier=dhl").text.contains(id)))
        }
    }

    @Test func listsPageWithACursor() async throws {
        let fixture = try await AdminFixture.make()
        let tenant = fixture.base.acme.tenant.id
        for index in 0..<30 {
            _ = try await fixture.database.createShipment(
                tenantID: tenant, try NewShipment(trackingNumber: "PAGE\(index)", carrier: "ups", orderNumber: "P-\(index)").validated(),
                now: Fixture.now.addingTimeInterval(Double(index)))
        }
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let first = try await agent.get("/admin/shipments")
            #expect(first.text.contains("#P-29"))
            let next = try #require(first.text.range(of: "href=\"/admin/shipments?").map { String(first.text[$0.upperBound...].prefix { $0 != "\"" }) })
            let second = try await agent.get("/admin/shipments?" + next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.text.contains("#P-0"))
            #expect(!second.text.contains("#P-29"))
        }
    }

    @Test func theDetailMasksTheContactUntilARevealThatIsAudited() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let path = "/admin/shipments/\(fixture.base.acmeShipment.id)"
            let page = try await agent.get(path)
            #expect(page.text.contains("j•••@example.com"))
            #expect(!page.text.contains("jane@example.com"))
            #expect(!page.text.contains("+14155550123"))
            #expect(page.text.contains("Out for delivery"))
            #expect(page.text.contains("Secaucus"))
            let revealed = try await agent.post(path + "/reveal")
            #expect(revealed.status == .ok)
            #expect(revealed.text.contains("jane@example.com") && revealed.text.contains("+14155550123") && revealed.text.contains("Jane Shopper"))
            let audit = try await fixture.database.auditEntries(tenantID: fixture.base.acme.tenant.id, before: nil, limit: 10)
            #expect(audit.contains { $0.action == "revealed shopper contact" && $0.subject == fixture.base.acmeShipment.id && $0.actor == "owner@acme.test" })
        }
    }

    @Test func theReplyIsReadyInEveryLanguageAsTextAndHTML() async throws {
        let fixture = try await AdminFixture.make()
        let catalog = try Catalog(directory: packageRoot.appendingPathComponent("Locales").path)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let link = "https://track.waymark.test/acme/t/\(fixture.base.acmeShipment.token)?src=support"
            let english = try await agent.get("/admin/shipments/\(fixture.base.acmeShipment.id)")
            #expect(english.text.contains("You can follow order #ACME-1001 here: \(link.replacingOccurrences(of: "&", with: "&amp;"))"))
            #expect(english.text.contains("&lt;p&gt;You can follow order #ACME-1001 here: &lt;a href=&quot;\(link)&quot;&gt;"))
            for language in ShopperLanguage.supported {
                let page = try await agent.get("/admin/shipments/\(fixture.base.acmeShipment.id)?reply=\(language)")
                let sentence = catalog.text("support_reply", language, ["order": "ACME-1001", "url": link])
                #expect(page.text.contains(XMLText.escape(sentence).replacingOccurrences(of: "'", with: "&#39;")), "\(language)")
            }
        }
    }

    @Test func resendQueuesTheMessageAgain() async throws {
        let fixture = try await AdminFixture.make()
        let tenant = fixture.base.acme.tenant.id
        _ = try await fixture.database.subscribe(
            tenantID: tenant, shipmentID: fixture.base.acmeShipment.id, channel: .email, address: "jane@example.com", now: Fixture.now)
        _ = try await fixture.database.recordCheckpoints(tenantID: tenant, shipmentID: fixture.base.acmeShipment.id, events: [
            CheckpointEvent(occurredAt: Fixture.now, status: .delivered, message: "Delivered", source: "test"),
        ], now: Fixture.now)
        let emails = try await fixture.database.deliveries(
            tenantID: tenant, endpointID: nil, shipmentID: fixture.base.acmeShipment.id, limit: 10, before: nil).filter { $0.channel == .email }
        let original = try #require(emails.first)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("owner@acme.test")
            let path = "/admin/shipments/\(fixture.base.acmeShipment.id)"
            let page = try await agent.get(path)
            #expect(page.text.contains("j•••@example.com"))
            let resent = try await agent.post(path + "/resend", [("delivery", original.id)])
            #expect(resent.status == .seeOther)
            let deliveries = try await fixture.database.deliveries(
                tenantID: tenant, endpointID: nil, shipmentID: fixture.base.acmeShipment.id, limit: 10, before: nil).filter { $0.channel == .email }
            #expect(deliveries.count == emails.count + 1)
            let copy = try #require(deliveries.first { delivery in !emails.contains { $0.id == delivery.id } })
            #expect(copy.state == .pending && copy.recipient == original.recipient && copy.trigger == original.trigger)
            #expect(try await agent.get(resent.headers[.location] ?? "").text.contains("will be sent again"))
        }
    }
}

@Suite struct AdminTeamTests {
    @Test func anOwnerChangesRolesRemovesMembersAndRevokesInvitations() async throws {
        let fixture = try await AdminFixture.make()
        let tenant = fixture.base.acme.tenant.id
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        let agentID = try #require(try await fixture.database.teamMembers(tenantID: tenant).first { $0.email == "agent@acme.test" }?.userID)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            try await owner.get("/admin/team")
            #expect(try await owner.post("/admin/team/members/\(agentID)/role", [("role", "admin")]).status == .seeOther)
            #expect(try await fixture.database.teamMembers(tenantID: tenant).first { $0.userID == agentID }?.role == .admin)
            #expect(try await agent.get("/admin/api-keys").status == .ok, "the new role applies to the open session")
            #expect(try await owner.post("/admin/team/members/\(agentID)/role", [("role", "emperor")]).status == .unprocessableContent)

            try await owner.post("/admin/team/invitations", [("email", "later@acme.test"), ("role", "admin")])
            let invitation = try #require(try await fixture.database.invitations(tenantID: tenant, now: fixture.clock.now).first)
            let link = try #require(fixture.mail.link(to: "later@acme.test"))
            #expect(try await owner.post("/admin/team/invitations/\(invitation.id)/revoke").status == .seeOther)
            var late = AdminBrowser(client)
            #expect(try await late.get(String(link.dropFirst("https://track.waymark.test".count))).status == .gone)
            #expect(try await owner.post("/admin/team/invitations", [("email", "not an address"), ("role", "admin")]).status == .unprocessableContent)

            #expect(try await owner.post("/admin/team/members/\(agentID)/remove").status == .seeOther)
            #expect(try await agent.get("/admin/shipments").status == .seeOther, "a removed member's session ends")
            let audit = try await owner.get("/admin/audit").text
            for action in ["set role admin", "revoked invitation", "removed from the team"] { #expect(audit.contains(action), "\(action)") }
        }
    }

    @Test func anOwnerDeletesTheShipmentDataOnlyAfterTypingTheSlug() async throws {
        let fixture = try await AdminFixture.make()
        let tenant = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let page = try await owner.get("/admin/data")
            #expect(page.status == .ok && page.text.contains("<code>acme</code>"))
            #expect(try await owner.post("/admin/data", [("confirm", "globex")]).status == .unprocessableContent)
            #expect(try await fixture.database.shipmentCount(tenantID: tenant) == 1)
            let deleted = try await owner.post("/admin/data", [("confirm", "acme")])
            #expect(deleted.status == .ok && deleted.text.contains("1 shipments were deleted"))
            #expect(try await fixture.database.shipmentCount(tenantID: tenant) == 0)
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.base.globex.tenant.id) == 1)
        }
    }
}
