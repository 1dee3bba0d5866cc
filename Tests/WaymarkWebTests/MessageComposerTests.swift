import Foundation
import Testing
import WaymarkCore
import WaymarkNotify
@testable import WaymarkStore
@testable import WaymarkWeb

/// Shopper messages as the dispatcher would ask for them: a claimed delivery whose payload is the
/// frozen Standard Webhooks body, rendered from the real Views/ and Locales/.
enum MessageFixture {
    static let baseURL = "https://track.waymark.test"

    static let tenant = Tenant(
        id: 1, slug: "acme", name: "Acme Outfitters",
        branding: Branding(primaryColor: HexColor("#7c2d12")!, logoURL: "https://cdn.acme.test/logo.png", supportEmail: "help@acme.test"),
        defaultLocale: "en", createdAt: Fixture.now)

    static func tracked(
        locale: String? = "en", status: DeliveryStatus = .outForDelivery, message: String = "Out for delivery",
        substatus: Substatus? = nil
    ) -> TrackedShipment {
        let shipment = Shipment(
            id: "shp_msg", tenantID: 1, trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "ACME-1001",
            customer: Customer(name: "Jane Shopper", email: "jane@example.com", phone: "+14155550123", locale: locale),
            destination: Destination(city: "Brooklyn", region: "NY", postalCode: "11201", country: "US"), status: status,
            substatus: substatus, eta: Date(timeIntervalSince1970: 1_795_996_800),
            deliveredAt: status == .delivered ? Fixture.now.addingTimeInterval(-3_600) : nil,
            lastEventAt: Fixture.now.addingTimeInterval(-3_600), token: "TOKENTOKENTOKENTOKENTOKE", createdAt: Fixture.now, updatedAt: Fixture.now)
        let events = [
            CheckpointEvent(
                occurredAt: Fixture.now.addingTimeInterval(-3_600), utcOffsetSeconds: -5 * 3600, status: status, substatus: substatus,
                message: message, location: Place(city: "Brooklyn", region: "NY", country: "US"), source: "test"),
        ]
        return TrackedShipment(
            shipment: shipment,
            checkpoints: events.enumerated().map { Checkpoint(id: Int64($0.offset), shipmentID: "shp_msg", event: $0.element, recordedAt: Fixture.now) })
    }

    static func claimed(
        tenant: Tenant = tenant, tracked: TrackedShipment = tracked(), triggerKey: String = "status:out_for_delivery",
        channel: NotificationChannel = .email, token: String? = "unsub0123456789abcdef"
    ) throws -> ClaimedDelivery {
        let body = WebhookEventBody(
            type: "shipment.status_changed", timestamp: RFC3339.format(Fixture.now),
            data: ShipmentResource(tracked, baseURL: baseURL, tenantSlug: tenant.slug))
        let payload = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let delivery = Delivery(
            id: "msg_fixture", tenantID: tenant.id, shipmentID: tracked.shipment.id, channel: channel,
            recipient: channel == .email ? "jane@example.com" : "+14155550123", triggerKey: triggerKey,
            eventType: "shipment.status_changed", payload: payload, nextAttemptAt: Fixture.now, createdAt: Fixture.now, updatedAt: Fixture.now)
        return ClaimedDelivery(
            delivery: delivery, tenant: tenant, settings: NotificationSettings(), endpoint: nil, shipment: tracked.shipment,
            unsubscribeToken: token, recipientOptedOut: false)
    }

    static let catalog = try! Catalog(directory: packageRoot.appendingPathComponent("Locales").path)

    /// - Parameter required: templates to check for instead of the composer's own list.
    static func composer(
        overrides: AppDatabase? = nil, viewsPath: String = packageRoot.appendingPathComponent("Views").path, requiring required: [String]? = nil
    ) throws -> TemplateMessageComposer {
        let links = PublicLinks(baseURL: baseURL)
        if let required {
            return try TemplateMessageComposer(viewsPath: viewsPath, catalog: catalog, links: links, overrides: overrides, requiring: required)
        }
        return try TemplateMessageComposer(viewsPath: viewsPath, catalog: catalog, links: links, overrides: overrides)
    }

    /// A trigger key whose `templateName` is `name` (`generic` stands for any other trigger).
    static func triggerKey(for name: String) -> String {
        switch name {
        case "stalled": "stalled:1795700000"
        case "eta_changed": "eta:2026-11-30"
        case "generic": "created"
        default: "status:\(name)"
        }
    }

    static let unsubscribeURL = "\(baseURL)/acme/unsubscribe/unsub0123456789abcdef"
    static let trackingURL = "\(baseURL)/acme/t/TOKENTOKENTOKENTOKENTOKE"
}

@Suite struct MessageComposerTests {
    /// The words every message needs, per language file as written (the catalog would quietly
    /// fill a gap with English).
    @Test func everyLanguageHasEveryMessageString() throws {
        var required = ["email.subject", "email.subject_no_order", "email.track_button", "email.latest_update", "email.pickup_at",
                        "email.why", "email.unsubscribe"]
        for name in TemplateMessageComposer.templateNames {
            required += ["email.\(name).headline", "email.\(name).intro", "sms.\(name)"]
        }
        for language in ShopperLanguage.supported {
            let file = packageRoot.appendingPathComponent("Locales/\(language).json")
            let table = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
            for key in required {
                #expect(!(table[key] ?? "").isEmpty, "\(language).json misses \(key)")
            }
        }
    }

    @Test(arguments: ShopperLanguage.supported)
    func everyMessageRendersInEveryLanguage(language: String) async throws {
        let composer = try MessageFixture.composer()
        let strings = MessageFixture.catalog.table(language)
        for name in TemplateMessageComposer.templateNames {
            let claimed = try MessageFixture.claimed(tracked: MessageFixture.tracked(locale: language), triggerKey: MessageFixture.triggerKey(for: name))

            let email = try await composer.email(for: claimed)
            let sms = try await composer.sms(for: claimed)

            let headline = try #require(strings["email.\(name).headline"])
            #expect(email.subject.contains(headline), "\(language)/\(name) subject: \(email.subject)")
            #expect(email.subject.contains("ACME-1001"))
            #expect(email.html.contains(headline.htmlEscaped), "\(language)/\(name) html lacks its headline")
            #expect(email.text.contains(headline), "\(language)/\(name) text lacks its headline")
            #expect(email.html.contains("href=\"\(MessageFixture.trackingURL)?src=email\""), "\(language)/\(name) html track link")
            #expect(email.text.contains("\(MessageFixture.trackingURL)?src=email"), "\(language)/\(name) text track link")
            #expect(email.html.contains("href=\"\(MessageFixture.unsubscribeURL)\""))
            #expect(email.text.contains(MessageFixture.unsubscribeURL))
            #expect(email.unsubscribeURL == MessageFixture.unsubscribeURL)
            #expect(email.html.contains("lang=\"\(language)\""))
            #expect(sms.contains("Acme Outfitters: \(try #require(strings["sms.\(name)"]))"), "\(language)/\(name) sms: \(sms)")
            #expect(sms.hasSuffix("\(MessageFixture.trackingURL)?src=sms"))
            for part in [email.subject, email.html, email.text, sms] {
                #expect(!part.contains("{merchant}") && !part.contains("{order}") && !part.contains("{headline}"), "\(language)/\(name) placeholder left")
                #expect(!part.contains("email.") && !part.contains("sms."), "\(language)/\(name) shows a string key")
            }
        }
    }

    @Test func htmlHasTheFactsOfTheShipment() async throws {
        let claimed = try MessageFixture.claimed(tracked: MessageFixture.tracked(
            status: .exception, message: "Held at customs", substatus: Substatus(status: .exception, reason: "customs_hold")),
            triggerKey: "status:exception.customs_hold")

        let email = try await MessageFixture.composer().email(for: claimed)

        #expect(email.html.contains("Held at customs"))  // the substatus phrase and the checkpoint
        #expect(email.html.contains("Brooklyn, NY, United States"))
        #expect(email.html.contains("Order ACME-1001"))
        #expect(email.html.contains("1Z999AA10123456784"))
        #expect(email.html.contains("Monday, November 30, 2026") || email.html.contains("Monday, 30 November 2026"))
        #expect(email.html.contains("https://cdn.acme.test/logo.png"))
        #expect(email.html.contains("#7c2d12"))
        #expect(email.html.contains("mailto:help@acme.test"))
        #expect(email.text.contains("Brooklyn, NY, United States"))
        #expect(email.text.contains("Expected delivery: "))
    }

    @Test func aTenantOnItsOwnDomainIsLinkedThereInEveryPart() async throws {
        var tenant = MessageFixture.tenant
        tenant.customDomain = "track.acme.example"
        let composer = try MessageFixture.composer()
        let email = try await composer.email(for: try MessageFixture.claimed(tenant: tenant))
        let page = "https://track.acme.example/t/TOKENTOKENTOKENTOKENTOKE?src=email"
        #expect(email.html.contains(page) && email.text.contains(page))
        #expect(email.unsubscribeURL == "https://track.acme.example/unsubscribe/unsub0123456789abcdef")
        #expect(!email.html.contains(MessageFixture.baseURL) && !email.text.contains(MessageFixture.baseURL))
        let text = try await composer.sms(for: try MessageFixture.claimed(tenant: tenant, channel: .sms))
        #expect(text.hasSuffix("https://track.acme.example/t/TOKENTOKENTOKENTOKENTOKE?src=sms"))

        // Without a domain, the links stay on the base URL with the slug.
        let plain = try await composer.email(for: try MessageFixture.claimed())
        #expect(plain.text.contains(MessageFixture.trackingURL + "?src=email"))
        #expect(plain.unsubscribeURL == MessageFixture.unsubscribeURL)
    }

    @Test func shopperLanguageIsTheCustomersElseTheTenantDefault() async throws {
        var tenant = MessageFixture.tenant
        tenant.defaultLocale = "fr"
        let composer = try MessageFixture.composer()

        let austrian = try await composer.email(for: MessageFixture.claimed(tenant: tenant, tracked: MessageFixture.tracked(locale: "de-AT")))
        let swedish = try await composer.email(for: MessageFixture.claimed(tenant: tenant, tracked: MessageFixture.tracked(locale: "sv")))
        let unknown = try await composer.email(for: MessageFixture.claimed(tenant: tenant, tracked: MessageFixture.tracked(locale: nil)))

        #expect(austrian.subject.hasPrefix("Ihr Paket ist in Zustellung"))
        #expect(swedish.subject.hasPrefix("Votre colis est en cours de livraison"))
        #expect(unknown.html.contains("lang=\"fr\""))
    }

    @Test func noAddressPhoneOrNameReachesTheShopperMessage() async throws {
        let claimed = try MessageFixture.claimed()
        let composer = try MessageFixture.composer()

        let email = try await composer.email(for: claimed)
        let sms = try await composer.sms(for: claimed)

        for part in [email.subject, email.html, email.text, sms] {
            for secret in ["Jane", "Shopper", "+14155550123", "4155550123", "jane@example.com", "11201"] {
                #expect(!part.contains(secret), "\(secret) leaked")
            }
        }
    }

    @Test func hostileMerchantAndCarrierTextIsEscapedInHTML() async throws {
        var tenant = MessageFixture.tenant
        tenant.name = "<script>alert(1)</script> & \"Co\""
        tenant.branding.logoURL = "javascript:alert(1)"
        let claimed = try MessageFixture.claimed(
            tenant: tenant, tracked: MessageFixture.tracked(message: "<img src=x onerror=alert(2)>\"'"))

        let email = try await MessageFixture.composer().email(for: claimed)

        #expect(!email.html.contains("<script>"))
        #expect(!email.html.contains("<img src=x"))
        #expect(!email.html.contains("javascript:"))
        #expect(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"))
        #expect(email.html.contains("&lt;img src=x onerror=alert(2)&gt;&quot;&#39;"))
        // Plain text is not HTML: the same words arrive as written.
        #expect(email.text.contains("<img src=x onerror=alert(2)>\"'"))
        #expect(email.subject.contains("ACME-1001"))
    }

    @Test func smsInLatinLanguagesStaysWithinGSM7() async throws {
        let gsm7 = Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
        let composer = try MessageFixture.composer()
        for language in ShopperLanguage.supported where language != "ja" && language != "zh-Hans" {
            for name in TemplateMessageComposer.templateNames {
                let sms = try await composer.sms(for: MessageFixture.claimed(
                    tracked: MessageFixture.tracked(locale: language), triggerKey: MessageFixture.triggerKey(for: name), channel: .sms))
                let outside = sms.filter { !gsm7.contains($0) }
                #expect(outside.isEmpty, "\(language)/\(name) SMS needs UCS-2 because of \(outside): \(sms)")
            }
        }
    }

    @Test func tenantTemplateIsUsedUntilReset() async throws {
        let database = try AppDatabase.temporary()
        let created = try await database.createTenant(NewTenant(
            slug: try TenantSlug("acme"), name: "Acme Outfitters", ownerEmail: try EmailAddress("owner@acme.test"),
            ownerPassword: "correct horse battery", defaultLocale: "en"))
        let composer = try MessageFixture.composer(overrides: database)
        let email = try MessageFixture.claimed(tenant: created.tenant)
        let sms = try MessageFixture.claimed(tenant: created.tenant, channel: .sms)
        let html = "{{<emails.layout}}\n{{$extra}}<p class=\"own\">Hello from {{merchantName}} & co</p>{{/extra}}\n{{/emails.layout}}\n"
        try TemplateCheck.check(html, kind: .emailHTML)
        try TemplateCheck.check("{{merchantName}} & co: {{line}} {{trackURL}}", kind: .sms)

        try await database.setMessageTemplate(
            MessageTemplate(tenantID: created.tenant.id, channel: .email, name: "out_for_delivery", locale: "en",
                            subject: "{{merchantName}} & co: {{headline}}", body: html, updatedAt: Fixture.now),
            author: "owner@acme.test")
        try await database.setMessageTemplate(
            MessageTemplate(tenantID: created.tenant.id, channel: .sms, name: "out_for_delivery", locale: "en", subject: nil,
                            body: "{{merchantName}} & co: {{line}} {{trackURL}}", updatedAt: Fixture.now),
            author: "owner@acme.test")
        let custom = try await composer.email(for: email)
        let customSMS = try await composer.sms(for: sms)
        let german = try await composer.email(for: MessageFixture.claimed(tenant: created.tenant, tracked: MessageFixture.tracked(locale: "de")))
        try await database.deleteMessageTemplate(
            tenantID: created.tenant.id, channel: .email, name: "out_for_delivery", locale: "en", author: "owner@acme.test", now: Fixture.now)
        let reset = try await composer.email(for: email)

        #expect(custom.html.contains("<p class=\"own\">Hello from Acme Outfitters & co</p>"))
        #expect(custom.html.contains("href=\"\(MessageFixture.trackingURL)?src=email\""))  // the layout still frames it
        #expect(custom.subject == "Acme Outfitters & co: Your package is out for delivery")
        #expect(custom.text.contains("\(MessageFixture.trackingURL)?src=email"))
        #expect(customSMS == "Acme Outfitters & co: Your package is out for delivery today. \(MessageFixture.trackingURL)?src=sms")
        #expect(!german.html.contains("class=\"own\""))
        #expect(!reset.html.contains("class=\"own\""))
        #expect(reset.subject == "Your package is out for delivery – order ACME-1001")
        #expect(try await database.messageTemplates(tenantID: created.tenant.id).map(\.channel) == [.sms])
    }

    @Test(arguments: [
        ("<p>Hi</p>\n<p>{{{trackURL}}}</p>", 2),
        ("<p>Hi</p>\n\n{{& headline}}", 3),
        ("{{> shopper/tracking}}", 1),
        ("<p>\n{{=<% %>=}}</p>", 2),
        ("{{% CONTENT_TYPE: TEXT}}", 1),
        ("{{<layouts.shopper}}{{/layouts.shopper}}", 1),
        ("<p>\n{{#latest}}\n<b>{{message}}</b>\n", 4),
    ])
    func badTenantTemplatesAreRefusedNamingTheLine(template: String, line: Int) {
        let refusal = #expect(throws: TemplateRefusal.self) { try TemplateCheck.check(template, kind: .emailHTML) }
        #expect(refusal?.line == line, "\(template): \(String(describing: refusal))")
    }

    @Test func oversizedOrEmptyTemplatesAndLayoutsInTextsAreRefused() {
        let big = String(repeating: "<p>words</p>\n", count: 8_000)
        #expect(throws: TemplateRefusal.self) { try TemplateCheck.check(big, kind: .emailHTML) }
        #expect(throws: TemplateRefusal.self) { try TemplateCheck.check("  \n", kind: .sms) }
        #expect(throws: TemplateRefusal.self) { try TemplateCheck.check("{{<emails.layout}}{{/emails.layout}}", kind: .sms) }
        #expect(throws: TemplateRefusal.self) { try TemplateCheck.check("{{<emails.layout}}{{/emails.layout}}", kind: .emailSubject) }
    }
}

extension String {
    /// What swift-mustache makes of text in HTML.
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
