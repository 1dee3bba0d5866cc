import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
@testable import WaymarkWeb

@Suite struct TrackingPageTests {
    @Test func showsStatusMilestonesEtaCarrierAndNewestCheckpointFirst() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = response.text
                #expect(html.contains("<html lang=\"en\">"))
                #expect(html.contains("<h1 id=\"status-heading\">Out for delivery</h1>"))
                #expect(html.components(separatedBy: "<h1").count == 2, "exactly one h1")
                #expect(html.contains("Order ACME-1001"))
                #expect(html.contains("aria-current=\"step\"><span class=\"step-label\">Out for delivery"))
                // Out for delivery today (the 27th): today, not the carrier's older estimate of the 30th.
                #expect(html.contains("<time datetime=\"2026-11-27\">"), "ETA as a machine-readable day")
                #expect(html.contains("href=\"https://www.ups.com/track?tracknum=1Z999AA10123456784\""))
                #expect(html.contains("1Z999AA10123456784"))
                // Newest first, each in the local time of the place it happened.
                let newest = try #require(html.range(of: "2026-11-27T06:00:00-05:00"))
                let middle = try #require(html.range(of: "2026-11-26T19:00:00-05:00"))
                let oldest = try #require(html.range(of: "2026-11-26T04:00:00-08:00"))
                #expect(newest.lowerBound < middle.lowerBound && middle.lowerBound < oldest.lowerBound)
                #expect(html.contains("Secaucus, NJ, United States"))
                // Branding and link previews.
                #expect(html.contains("src=\"https://cdn.acme.test/logo.png\" alt=\"Acme Outfitters\""))
                #expect(html.contains("<link rel=\"stylesheet\" href=\"/acme/theme.css\">"))
                #expect(html.contains("<meta property=\"og:title\" content=\"Out for delivery: order ACME-1001 from Acme Outfitters\">"))
                #expect(html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"))
                #expect(!html.contains("<script"), "the page needs no JavaScript")
            }
        }
    }

    @Test func neverShowsTheShoppersPrivateDetails() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                let html = response.text
                for secret in ["jane@example.com", "Jane Shopper", "+14155550123", "4155550123", "11201"] {
                    #expect(!html.contains(secret), "page leaks \(secret)")
                }
            }
        }
    }

    @Test func answersHEADLikeGETWithoutABody() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: fixture.acmeTrackingPath, method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test func answersRevisitsWith304() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let etag = try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                try #require(response.headers[.eTag])
            }
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
            }
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get, headers: [.ifNoneMatch: "\"stale\""]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test(arguments: [
        ("?lang=de", nil as String?, "de", "In Zustellung"),
        ("", "fr-CH,fr;q=0.9,en;q=0.5", "fr", "En cours de livraison"),
        ("", "zh-CN,zh;q=0.9", "zh-Hans", "派送中"),
        ("?lang=ja", "fr", "ja", "配達中"),
        ("", "xx", "en", "Out for delivery"),
    ])
    func picksTheLanguageFromQueryThenBrowserThenTenant(query: String, acceptLanguage: String?, lang: String, headline: String) async throws {
        let fixture = try await Fixture.make()
        let catalog = try Catalog(directory: packageRoot.appendingPathComponent("Locales").path)
        // The headline comes from the catalog; make sure the expectation matches the resource file.
        #expect(catalog.table(lang)["status_out_for_delivery"] == headline)
        try await fixture.app().test(.router) { client in
            var headers: HTTPFields = [:]
            if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
            try await client.execute(uri: fixture.acmeTrackingPath + query, method: .get, headers: headers) { response in
                #expect(response.text.contains("<html lang=\"\(lang)\">"))
                #expect(response.text.contains(">\(headline)</h1>"))
            }
        }
    }

    @Test func usesTheTenantsDefaultLanguageWhenTheBrowserAsksForNoneWeHave() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/globex/t/\(fixture.globexShipment.token)", method: .get, headers: [.acceptLanguage: "sv"]) { response in
                #expect(response.text.contains("<html lang=\"de\">"))
            }
        }
    }

    @Test func unknownTokenGetsABrandedLocalized404() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for token in ["AAAAAAAAAAAAAAAAAAAAAAAA", "short", "%3Cscript%3E"] {
                try await client.execute(uri: "/acme/t/\(token)?lang=es", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.text.contains("<html lang=\"es\">"))
                    #expect(response.text.contains("Acme Outfitters"))
                    #expect(response.text.contains("href=\"/acme\""), "offers the lookup instead")
                }
            }
        }
    }

    @Test func anotherTenantsTokenIsNotFoundUnderThisSlug() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/globex/t/\(fixture.acmeShipment.token)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(!response.text.contains("ACME-1001"))
            }
        }
    }

    @Test func unknownTenantIsA404Page() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for path in ["/nobody", "/nobody/t/\(fixture.acmeShipment.token)", "/Bad_Slug", "/nobody/theme.css"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                }
            }
        }
    }

    @Test func themeStylesheetCarriesTheBrandColoursAtReadableContrast() async throws {
        let fixture = try await Fixture.make()
        try await fixture.database.updateBranding(tenantID: fixture.acme.tenant.id, Branding(primaryColor: HexColor("#ffdd00")!))
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/theme.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                let css = response.text
                let brand = try #require(css.split(separator: "\n").first { $0.contains("--brand:") })
                let value = String(try #require(brand.split(separator: " ").last).dropLast())
                let colour = try #require(HexColor(value))
                #expect(colour.contrast(with: .white) >= 4.5, "pale yellow must be darkened for text on white")
            }
        }
    }

    /// Files under Public/ come from memory: the page links each with its version, a request for
    /// the current version may be cached for a year, any other for an hour, and an ETag answers 304.
    @Test func servesStaticAssetsWithVersionedLinks() async throws {
        let fixture = try await Fixture.make()
        let css = try String(contentsOf: packageRoot.appendingPathComponent("Public/css/shopper.css"), encoding: .utf8)
        let version = String(SHA256.hash(data: Data(css.utf8)).map { String(format: "%02x", $0) }.joined().prefix(8))
        try await fixture.app().test(.router) { client in
            let page = try await client.execute(uri: fixture.acmeTrackingPath, method: .get).text
            #expect(page.contains("href=\"/static/css/shopper.css?v=\(version)\""))
            #expect(page.contains("href=\"/static/favicon.svg?v="))

            let current = try await client.execute(uri: "/static/css/shopper.css?v=\(version)", method: .get)
            #expect(current.status == .ok && current.text == css)
            #expect(current.headers[.contentType] == "text/css; charset=utf-8")
            #expect(current.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let etag = try #require(current.headers[.eTag])
            // The version counts as one whole parameter among others, nowhere else.
            for (query, immutable) in [("?a=1&v=\(version)", true), ("?v=\(version)&a=1", true), ("?v=0ld", false), ("?v=\(version)x", false),
                                       ("?xv=\(version)", false), ("?a=v=\(version)", false), ("?", false), ("?&", false)] {
                let cacheControl = try await client.execute(uri: "/static/css/shopper.css\(query)", method: .get).headers[.cacheControl]
                #expect(cacheControl == (immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600"), "\(query)")
            }
            #expect(try await client.execute(uri: "/static/css/shopper.css", method: .get, headers: [.ifNoneMatch: etag]).status == .notModified)
            let head = try await client.execute(uri: "/static/css/shopper.css", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.contentLength] == String(css.utf8.count))
            for missing in ["/static/css/nope.css", "/static/../Package.swift", "/static/%2e%2e/Package.swift", "/static/"] {
                #expect(try await client.execute(uri: missing, method: .get).status == .notFound, "\(missing)")
            }
        }
    }
}
