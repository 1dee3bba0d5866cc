import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/settings/after-delivery`: a review link and up to four products on delivered pages,
/// every address checked like a merchant link; shoppers go through a redirect that counts the
/// click, and the dashboard shows the counts.
@Suite struct AdminAfterDeliveryTests {
    func deliver(_ fixture: AdminFixture) async throws {
        _ = try await fixture.database.recordCheckpoints(tenantID: fixture.base.acme.tenant.id, shipmentID: fixture.base.acmeShipment.id, events: [
            CheckpointEvent(occurredAt: Fixture.now, status: .delivered, message: "Delivered, front door", source: "test"),
        ], now: Fixture.now)
    }

    @Test func linksShowOnDeliveredPagesAndTheirClicksAreCounted() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.get("/admin/settings/after-delivery").text.contains("value=\"Leave a review\""))

            // Not yet delivered: no links on the page.
            let form: [(String, String)] = [
                ("review_title", "Review us"), ("review_url", "https://reviews.acme.test/write"),
                ("product_1_title", "Trail socks"), ("product_1_url", "https://shop.acme.test/socks"), ("product_1_image", "https://cdn.acme.test/socks.jpg"),
                ("product_3_title", "Rain shell"), ("product_3_url", "https://shop.acme.test/shell"),
            ]
            #expect(try await owner.post("/admin/settings/after-delivery", form).status == .seeOther)
            let links = try await fixture.database.afterDeliveryLinks(tenantID: tenantID)
            #expect(links.map(\.title) == ["Review us", "Trail socks", "Rain shell"])
            #expect(links.map(\.kind) == [.review, .product, .product])
            #expect(!(try await client.execute(uri: fixture.base.acmeTrackingPath, method: .get).text.contains("/acme/go/")))

            try await deliver(fixture)
            let page = try await client.execute(uri: fixture.base.acmeTrackingPath, method: .get).text
            #expect(page.contains("More from Acme Outfitters"))
            #expect(page.contains("<a class=\"button\" href=\"/acme/go/\(links[0].id)\">Review us</a>"))
            #expect(page.contains("<a href=\"/acme/go/\(links[1].id)\"><img src=\"https://cdn.acme.test/socks.jpg\" alt=\"\""))
            #expect(!page.contains("https://shop.acme.test/socks"), "shoppers go through the counting redirect")

            // Two clicks on the socks, one on the review: counted in memory, written at the flush.
            for id in [links[1].id, links[1].id, links[0].id] {
                let click = try await client.execute(uri: "/acme/go/\(id)", method: .get)
                #expect(click.status == .seeOther)
                #expect(click.headers[.location] == (id == links[0].id ? "https://reviews.acme.test/write" : "https://shop.acme.test/socks"))
                #expect(click.headers[.cacheControl] == "no-store")
            }
            try await fixture.usage.flush(to: fixture.database)
            let clicks = try await fixture.database.dashboard(tenantID: tenantID, now: fixture.clock.now).linkClicks
            #expect(clicks.map(\.clicks) == [1, 2, 0])
            let dashboard = try await owner.get("/admin").text
            #expect(dashboard.contains("Trail socks <span class=\"hint\">https://shop.acme.test/socks</span></th><td>2</td>"))

            // Saved again with one address changed: the unchanged links keep their id and clicks.
            var changed = form
            changed[6] = ("product_3_url", "https://shop.acme.test/shell-v2")
            #expect(try await owner.post("/admin/settings/after-delivery", changed).status == .seeOther)
            let again = try await fixture.database.afterDeliveryLinks(tenantID: tenantID)
            #expect(again[0].id == links[0].id && again[1].id == links[1].id && again[2].id != links[2].id)
            #expect(try await fixture.database.dashboard(tenantID: tenantID, now: fixture.clock.now).linkClicks.map(\.clicks) == [1, 2, 0])
            #expect(try await client.execute(uri: "/acme/go/\(links[2].id)", method: .get).status == .notFound, "the old link is gone")
            #expect(try await client.execute(uri: fixture.base.acmeTrackingPath, method: .get).text.contains("/acme/go/\(again[2].id)"),
                    "the cached page was replaced")
            #expect(try await owner.get("/admin/audit").text.contains("set the after-delivery links: review https://reviews.acme.test/write"))

            // Emptied: no links, nothing on the page.
            #expect(try await owner.post("/admin/settings/after-delivery", []).status == .seeOther)
            #expect(try await fixture.database.afterDeliveryLinks(tenantID: tenantID).isEmpty)
            #expect(!(try await client.execute(uri: fixture.base.acmeTrackingPath, method: .get).text.contains("after-links")))
        }
    }

    @Test func badLinksAreRefusedWithTheReasonAndNothingIsSaved() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let refused = try await owner.post("/admin/settings/after-delivery", [
                ("review_title", "Review us"), ("review_url", "http://reviews.acme.test/"),
                ("product_1_title", "Socks"), ("product_1_url", "https://127.0.0.1/admin"),
                ("product_2_url", "https://shop.acme.test/no-title"),
                ("product_3_title", "Shell"), ("product_3_url", "https://shop.acme.test/shell"), ("product_3_image", "javascript:alert(1)"),
                ("product_4_title", String(repeating: "x", count: 101)), ("product_4_url", "https://shop.acme.test/long"),
            ])
            #expect(refused.status == .unprocessableContent)
            let text = refused.text
            #expect(text.contains("Review link, Link (https://): use an https:// address"))
            #expect(text.contains("Product 1, Link (https://): "))
            #expect(text.contains("Product 2: give both a title and a link"))
            #expect(text.contains("Product 3, Picture (https://, optional): use an https:// address"))
            #expect(text.contains("Product 4: the title must be one line of at most 100 characters"))
            #expect(text.contains("value=\"https://shop.acme.test/shell\""), "what was typed is kept")
            #expect(try await fixture.database.afterDeliveryLinks(tenantID: tenantID).isEmpty)
        }
    }

    @Test func linksStayWithTheirTenantAndAgentsAreKeptOut() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        let globex = try await fixture.database.setAfterDeliveryLinks(
            tenantID: fixture.base.globex.tenant.id, AfterDeliveryLinks(review: .init(title: "Bewerten", url: "https://globex.test/review")), now: Fixture.now)
        try await fixture.app().test(.router) { client in
            #expect(try await client.execute(uri: "/acme/go/\(globex[0].id)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/acme/go/not-a-number", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/globex/go/\(globex[0].id)", method: .get).headers[.location] == "https://globex.test/review")

            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get("/admin/settings/after-delivery").status == .forbidden)
            #expect(try await agent.post("/admin/settings/after-delivery", [("review_title", "x"), ("review_url", "https://x.test/")]).status == .forbidden)
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            #expect(try await owner.post("/admin/settings/after-delivery", [("review_title", "x"), ("review_url", "https://x.test/")], withCSRF: false).status == .forbidden)
        }
        #expect(try await fixture.database.afterDeliveryLinks(tenantID: fixture.base.acme.tenant.id).isEmpty)
    }
}
