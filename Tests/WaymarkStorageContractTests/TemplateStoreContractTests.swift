import Foundation
import Testing
import WaymarkCore
import WaymarkStore

private typealias Stores = any TemplateStore & TenantStore

private func later(_ seconds: TimeInterval) -> Date { contractDate.addingTimeInterval(seconds) }

@Suite("TemplateStore contract")
struct TemplateStoreContractTests {
    // MARK: Notification settings

    @Test("a new tenant has the default settings; an unknown tenant is refused", arguments: Backend.allCases)
    func defaultSettings(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            #expect(try await store.notificationSettings(tenantID: acme.id) == NotificationSettings())
            await #expect(throws: StoreError.tenantNotFound("#\(acme.id + 100)")) {
                _ = try await store.notificationSettings(tenantID: acme.id + 100)
            }
        }
    }

    @Test("settings change only where given; an empty sender field clears it; other tenants keep theirs", arguments: Backend.allCases)
    func updateSettings(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let overrides = NotificationRules.Overrides(
                email_statuses: [.delivered], sms_statuses: [], substatus_channels: ["exception.customs_hold": [.email, .sms]],
                email_when_stalled: false, email_when_eta_changes: true)
            try await store.updateNotificationSettings(
                tenantID: acme.id, rules: overrides, stalledAfterDays: 7, subscribeContacts: false, selfSubscription: false,
                senderName: "Acme Shop", senderEmail: "shop@acme.example", replyTo: "help@acme.example", smsFrom: "ACME",
                quietHours: (start: 22, end: 6), now: later(60))
            var expected = NotificationSettings(
                rules: NotificationRules(overrides, stalledAfterDays: 7), subscribeContacts: false, selfSubscription: false,
                senderName: "Acme Shop", senderEmail: "shop@acme.example", replyTo: "help@acme.example", smsFrom: "ACME",
                quietHoursStart: 22, quietHoursEnd: 6)
            let saved = try await store.notificationSettings(tenantID: acme.id)
            #expect(saved == expected)
            #expect(saved.rules.emailStatuses == [.delivered])
            #expect(saved.rules.stalledAfterDays == 7)
            #expect(saved.rules.emailWhenETAChanges)

            // Nil keeps; "" clears a sender field.
            try await store.updateNotificationSettings(
                tenantID: acme.id, rules: nil, stalledAfterDays: nil, subscribeContacts: nil, selfSubscription: true,
                senderName: "", senderEmail: nil, replyTo: "", smsFrom: nil, quietHours: nil, now: later(120))
            expected.selfSubscription = true
            expected.senderName = nil
            expected.replyTo = nil
            #expect(try await store.notificationSettings(tenantID: acme.id) == expected)

            // Nothing given changes nothing.
            try await store.updateNotificationSettings(
                tenantID: acme.id, rules: nil, stalledAfterDays: nil, subscribeContacts: nil, selfSubscription: nil,
                senderName: nil, senderEmail: nil, replyTo: nil, smsFrom: nil, quietHours: nil, now: later(180))
            #expect(try await store.notificationSettings(tenantID: acme.id) == expected)
            #expect(try await store.notificationSettings(tenantID: other.id) == NotificationSettings())
            // The tenant's own switch is the same as the tenant's.
            #expect(try await store.tenant(id: acme.id)?.selfSubscription == true)
        }
    }

    @Test("a value out of range is refused and nothing of the change is kept", arguments: Backend.allCases)
    func settingsOutOfRange(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            await #expect(throws: (any Error).self) {
                try await store.updateNotificationSettings(
                    tenantID: acme.id, rules: nil, stalledAfterDays: 0, subscribeContacts: nil, selfSubscription: nil,
                    senderName: "Kept?", senderEmail: nil, replyTo: nil, smsFrom: nil, quietHours: nil, now: later(60))
            }
            #expect(try await store.notificationSettings(tenantID: acme.id) == NotificationSettings())
        }
    }

    // MARK: Message templates

    @Test("a message template is saved, replaced, listed in order, kept per tenant and reset once", arguments: Backend.allCases)
    func messageTemplates(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            let delivered = MessageTemplate(
                tenantID: acme.id, channel: .email, name: "delivered", locale: "de", subject: "Da!", body: "<p>Angekommen</p>",
                textBody: "Angekommen", updatedAt: later(10))
            let sms = MessageTemplate(tenantID: acme.id, channel: .sms, name: "out_for_delivery", locale: "en", subject: nil, body: "Today!",
                                      updatedAt: later(20))
            let english = MessageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "en", subject: nil, body: "<p>Here</p>",
                                          updatedAt: later(30))
            let stalled = MessageTemplate(tenantID: acme.id, channel: .email, name: "stalled", locale: "zh-Hans", subject: "S", body: "<p>…</p>",
                                          updatedAt: later(40))
            for template in [sms, stalled, delivered, english] { try await store.setMessageTemplate(template, author: "owner@acme.example") }
            #expect(try await store.messageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "de") == delivered)
            #expect(try await store.messageTemplate(tenantID: acme.id, channel: .sms, name: "delivered", locale: "de") == nil)
            #expect(try await store.messageTemplate(tenantID: other.id, channel: .email, name: "delivered", locale: "de") == nil)
            #expect(try await store.messageTemplates(tenantID: acme.id) == [english, delivered, stalled, sms].sorted {
                ($0.channel.rawValue, $0.name, $0.locale) < ($1.channel.rawValue, $1.name, $1.locale)
            })
            #expect(try await store.messageTemplates(tenantID: acme.id).map(\.locale) == ["de", "en", "zh-Hans", "en"])
            #expect(try await store.messageTemplates(tenantID: other.id).isEmpty)

            // Saving again replaces, and a nil subject and text body are kept as nil.
            var changed = delivered
            changed.subject = nil
            changed.body = "<p>Zugestellt</p>"
            changed.textBody = nil
            changed.updatedAt = later(50)
            try await store.setMessageTemplate(changed, author: "agent@acme.example")
            #expect(try await store.messageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "de") == changed)
            #expect(try await store.messageTemplates(tenantID: acme.id).count == 4)

            #expect(try await store.deleteMessageTemplate(
                tenantID: other.id, channel: .email, name: "delivered", locale: "de", author: "x", now: later(60)) == false)
            #expect(try await store.deleteMessageTemplate(
                tenantID: acme.id, channel: .email, name: "delivered", locale: "de", author: "owner@acme.example", now: later(70)))
            #expect(try await store.deleteMessageTemplate(
                tenantID: acme.id, channel: .email, name: "delivered", locale: "de", author: "owner@acme.example", now: later(80)) == false)
            #expect(try await store.messageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "de") == nil)
            #expect(try await store.messageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "en") == english)

            // The history: two saves and one reset, newest first; nothing for the other tenant.
            let slot = TemplateSlot(.message(.email, name: "delivered"), locale: "de")
            let versions = try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 10)
            #expect(versions.map(\.body) == [nil, "<p>Zugestellt</p>", "<p>Angekommen</p>"])
            #expect(versions.map(\.subject) == [nil, nil, "Da!"])
            #expect(versions.map(\.textBody) == [nil, nil, "Angekommen"])
            #expect(versions.map(\.author) == ["owner@acme.example", "agent@acme.example", "owner@acme.example"])
            #expect(versions.map(\.createdAt) == [later(70), later(50), later(10)])
            #expect(versions.map(\.isReset) == [true, false, false])
            #expect(versions.allSatisfy { $0.slot == slot })
            #expect(try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 2).map(\.id) == versions.prefix(2).map(\.id))
            #expect(try await store.templateVersions(tenantID: other.id, slot: slot, limit: 10).isEmpty)
            let newest = try #require(versions.first)
            #expect(try await store.templateVersion(tenantID: acme.id, id: newest.id) == newest)
            #expect(try await store.templateVersion(tenantID: other.id, id: newest.id) == nil)
            let smsSlot = TemplateSlot(.message(.sms, name: "out_for_delivery"), locale: "en")
            #expect(try await store.templateVersions(tenantID: acme.id, slot: smsSlot, limit: 10).map(\.body) == ["Today!"])
        }
    }

    @Test("a template that breaks the table's rules is refused and leaves no version", arguments: Backend.allCases)
    func refusedTemplate(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let empty = MessageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "en", subject: nil, body: "",
                                        updatedAt: later(10))
            await #expect(throws: (any Error).self) { try await store.setMessageTemplate(empty, author: "owner@acme.example") }
            let slot = TemplateSlot(.message(.email, name: "delivered"), locale: "en")
            #expect(try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 10).isEmpty)
        }
    }

    @Test("eight resets of one template at once: one succeeds and the history notes one reset", arguments: Backend.allCases)
    func concurrentResets(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await store.setMessageTemplate(
                MessageTemplate(tenantID: acme.id, channel: .email, name: "delivered", locale: "en", subject: nil, body: "<p>Hi</p>",
                                updatedAt: later(10)), author: "owner@acme.example")
            let removed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await store.deleteMessageTemplate(
                            tenantID: acme.id, channel: .email, name: "delivered", locale: "en", author: "node \(index)", now: later(20))
                    }
                }
                return try await group.reduce(into: 0) { if $1 { $0 += 1 } }
            }
            #expect(removed == 1)
            let slot = TemplateSlot(.message(.email, name: "delivered"), locale: "en")
            #expect(try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 10).map(\.isReset) == [true, false])
        }
    }

    // MARK: Page sections

    @Test("page sections are kept per language, counted in the pages version, and reset once", arguments: Backend.allCases)
    func pageSections(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 0)
            try await store.setPageSection(tenantID: acme.id, section: .banner, locale: "en", body: "<b>Sale</b>", author: "a@acme.example", now: later(10))
            try await store.setPageSection(tenantID: acme.id, section: .footer, locale: "en", body: "<p>Help</p>", author: "a@acme.example", now: later(20))
            try await store.setPageSection(tenantID: acme.id, section: .banner, locale: "fr", body: "<b>Soldes</b>", author: "b@acme.example", now: later(30))
            try await store.setPageSection(tenantID: acme.id, section: .banner, locale: "en", body: "<b>Big sale</b>", author: "b@acme.example", now: later(40))
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 4)
            #expect(try await store.tenant(id: other.id)?.pagesVersion == 0)
            #expect(try await store.pageSections(tenantID: acme.id, locale: "en") == [.banner: "<b>Big sale</b>", .footer: "<p>Help</p>"])
            #expect(try await store.pageSections(tenantID: acme.id, locale: "fr") == [.banner: "<b>Soldes</b>"])
            #expect(try await store.pageSections(tenantID: acme.id, locale: "de").isEmpty)
            #expect(try await store.pageSections(tenantID: other.id, locale: "en").isEmpty)
            #expect(try await store.pageSectionSlots(tenantID: acme.id) == [
                TemplateSlot(.page(.banner), locale: "en"): later(40),
                TemplateSlot(.page(.footer), locale: "en"): later(20),
                TemplateSlot(.page(.banner), locale: "fr"): later(30),
            ])
            #expect(try await store.pageSectionSlots(tenantID: other.id).isEmpty)

            #expect(try await store.deletePageSection(tenantID: other.id, section: .banner, locale: "en", author: "x", now: later(50)) == false)
            #expect(try await store.deletePageSection(tenantID: acme.id, section: .header, locale: "en", author: "x", now: later(50)) == false)
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 4)
            #expect(try await store.deletePageSection(tenantID: acme.id, section: .banner, locale: "en", author: "c@acme.example", now: later(60)))
            #expect(try await store.deletePageSection(tenantID: acme.id, section: .banner, locale: "en", author: "c@acme.example", now: later(70)) == false)
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 5)
            #expect(try await store.pageSections(tenantID: acme.id, locale: "en") == [.footer: "<p>Help</p>"])

            let slot = TemplateSlot(.page(.banner), locale: "en")
            let versions = try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 10)
            #expect(versions.map(\.body) == [nil, "<b>Big sale</b>", "<b>Sale</b>"])
            #expect(versions.map(\.author) == ["c@acme.example", "b@acme.example", "a@acme.example"])
            #expect(versions.map(\.createdAt) == [later(60), later(40), later(10)])
            #expect(versions.allSatisfy { $0.slot == slot && $0.subject == nil && $0.textBody == nil })
            #expect(try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 1).map(\.id) == [versions[0].id])
            #expect(try await store.templateVersions(tenantID: acme.id, slot: TemplateSlot(.page(.banner), locale: "fr"), limit: 10)
                .map(\.body) == ["<b>Soldes</b>"])
            let oldest = try #require(versions.last)
            #expect(try await store.templateVersion(tenantID: acme.id, id: oldest.id) == oldest)
            #expect(try await store.templateVersion(tenantID: other.id, id: oldest.id) == nil)
            #expect(try await store.templateVersion(tenantID: acme.id, id: oldest.id + 1000) == nil)
        }
    }

    @Test("eight sections saved at once each count in the pages version", arguments: Backend.allCases)
    func concurrentSections(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await store.setPageSection(
                            tenantID: acme.id, section: .banner, locale: "en", body: "<b>\(index)</b>", author: "node \(index)", now: later(10))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 8)
            let slot = TemplateSlot(.page(.banner), locale: "en")
            let versions = try await store.templateVersions(tenantID: acme.id, slot: slot, limit: 100)
            #expect(versions.count == 8)
            // The section holds the last save's body (the newest version).
            #expect(try await store.pageSections(tenantID: acme.id, locale: "en")[.banner] == versions.first?.body)
        }
    }

    // MARK: After-delivery links

    @Test("after-delivery links: review first, unchanged ones keep their id, changed ones are new, pages outdated", arguments: Backend.allCases)
    func afterDeliveryLinks(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            #expect(try await store.afterDeliveryLinks(tenantID: acme.id).isEmpty)
            let review = AfterDeliveryLinks.Link(title: "Review us", url: "https://acme.example/review")
            let mug = AfterDeliveryLinks.Link(title: "Mug", imageURL: "https://acme.example/mug.png", url: "https://acme.example/mug")
            let cap = AfterDeliveryLinks.Link(title: "Cap", url: "https://acme.example/cap")
            let first = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(review: review, products: [mug, cap]), now: later(10))
            #expect(first.map(\.kind) == [.review, .product, .product])
            #expect(first.map(\.title) == ["Review us", "Mug", "Cap"])
            #expect(first[1].imageURL == "https://acme.example/mug.png")
            #expect(first[2].imageURL == nil)
            #expect(try await store.afterDeliveryLinks(tenantID: acme.id) == first)
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 1)
            #expect(try await store.afterDeliveryLink(tenantID: acme.id, id: first[1].id) == first[1])
            #expect(try await store.afterDeliveryLink(tenantID: other.id, id: first[1].id) == nil)
            #expect(try await store.afterDeliveryLinks(tenantID: other.id).isEmpty)

            // The same again keeps every id.
            let again = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(review: review, products: [mug, cap]), now: later(20))
            #expect(again == first)
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 2)

            // No review, the cap moved to the mug's place: the mug and the cap at 2 go, a new cap at 1.
            let changed = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(products: [cap]), now: later(30))
            #expect(changed.map(\.kind) == [.product])
            #expect(changed.map(\.title) == ["Cap"])
            #expect(!first.map(\.id).contains(changed[0].id))
            #expect(try await store.afterDeliveryLink(tenantID: acme.id, id: first[0].id) == nil)
            #expect(try await store.afterDeliveryLink(tenantID: acme.id, id: first[2].id) == nil)

            // A changed title at the same place is a new link; the unchanged review keeps its id.
            let withReview = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(review: review, products: [cap]), now: later(40))
            var renamed = cap
            renamed.title = "Cap, blue"
            let retitled = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(review: review, products: [renamed]), now: later(50))
            #expect(retitled[0].id == withReview[0].id)
            #expect(retitled[1].id != withReview[1].id)
            #expect(retitled[1].title == "Cap, blue")

            let none = try await store.setAfterDeliveryLinks(tenantID: acme.id, AfterDeliveryLinks(), now: later(60))
            #expect(none.isEmpty)
            #expect(try await store.afterDeliveryLinks(tenantID: acme.id).isEmpty)
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 6)
        }
    }

    @Test("eight saves of different links at once: each succeeds and one of them is what is kept", arguments: Backend.allCases)
    func concurrentLinks(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme").tenant
            let choices = (0..<8).map { index in
                AfterDeliveryLinks(
                    review: AfterDeliveryLinks.Link(title: "Review \(index)", url: "https://acme.example/review/\(index)"),
                    products: (0...(index % 4)).map { AfterDeliveryLinks.Link(title: "Product \($0)", url: "https://acme.example/p/\(index)/\($0)") })
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for links in choices {
                    group.addTask { _ = try await store.setAfterDeliveryLinks(tenantID: acme.id, links, now: later(10)) }
                }
                try await group.waitForAll()
            }
            let kept = try await store.afterDeliveryLinks(tenantID: acme.id)
            let titles = kept.map(\.title)
            let urls = kept.map(\.url)
            #expect(choices.contains { choice in
                ([choice.review].compactMap { $0 } + choice.products).map(\.title) == titles
                    && ([choice.review].compactMap { $0 } + choice.products).map(\.url) == urls
            })
            #expect(try await store.tenant(id: acme.id)?.pagesVersion == 8)
        }
    }
}
