import Foundation
import Mustache
import WaymarkCore
import WaymarkNotify

/// Writes shopper emails and texts from the Mustache templates in `Views/emails` and
/// `Views/sms`, in the shopper's language, or from the tenant's own template for that message
/// and language when it saved one (`waymark template set`).
///
/// Templates see only `ShopperMessageView`'s fields. A tenant's email template replaces the HTML
/// part and may extend `{{<emails.layout}}`; the plain-text part always comes from the default
/// text template of the same message, so it carries the same facts and links.
public struct TemplateMessageComposer: MessageComposer {
    /// Every message a shopper can get: one per status, the two that are not status changes,
    /// and `generic` for any other trigger.
    public static let templateNames = DeliveryStatus.allCases.map(\.rawValue) + ["stalled", "eta_changed", "generic"]

    /// Why a delivery could not be turned into a message.
    public struct CompositionError: Error, CustomStringConvertible {
        public let description: String
    }

    let library: MustacheLibrary
    let catalog: Catalog
    let links: PublicLinks
    /// Where tenant templates are read, per send; nil uses the defaults only.
    let overrides: (any TemplateStore)?

    /// Every template a message is written from; checked to exist when the composer is made.
    static let requiredTemplates = ["emails/layout", "emails/text/layout"]
        + templateNames.flatMap { ["emails/\($0)", "emails/text/\($0)", "sms/\($0)"] }

    /// Loads the templates once; a missing one is a start-up error.
    public init(viewsPath: String, catalog: Catalog, links: PublicLinks, overrides: (any TemplateStore)?) throws {
        try self.init(viewsPath: viewsPath, catalog: catalog, links: links, overrides: overrides, requiring: Self.requiredTemplates)
    }

    /// - Parameter required: the templates that must be there; a test passes fewer to get a
    ///   composer that fails when a message is written instead of when it is made.
    init(viewsPath: String, catalog: Catalog, links: PublicLinks, overrides: (any TemplateStore)?, requiring required: [String]) throws {
        library = try PageRenderer.loadLibrary(viewsPath, requiring: required)
        self.catalog = catalog
        self.links = links
        self.overrides = overrides
    }

    public func email(for claimed: ClaimedDelivery) async throws -> ComposedEmail {
        let (view, name, body) = try prepare(claimed, source: "email")
        let custom = try await override(claimed, channel: .email, name: name, language: view.lang)
        return try email(view, name: name, body: body, custom: custom, for: claimed)
    }

    public func sms(for claimed: ClaimedDelivery) async throws -> String {
        let (view, name, _) = try prepare(claimed, source: "sms")
        let custom = try await override(claimed, channel: .sms, name: name, language: view.lang)
        return try sms(view, name: name, custom: custom, for: claimed)
    }

    /// The email as `custom` would write it, whatever the tenant saved: the editor's preview.
    public func email(for claimed: ClaimedDelivery, using custom: MessageTemplate?) throws -> ComposedEmail {
        let (view, name, body) = try prepare(claimed, source: "email")
        return try email(view, name: name, body: body, custom: custom, for: claimed)
    }

    /// The text message as `custom` would write it: the editor's preview.
    public func sms(for claimed: ClaimedDelivery, using custom: MessageTemplate?) throws -> String {
        let (view, name, _) = try prepare(claimed, source: "sms")
        return try sms(view, name: name, custom: custom, for: claimed)
    }

    private func email(
        _ prepared: ShopperMessageView, name: String, body: WebhookEventBody, custom: MessageTemplate?, for claimed: ClaimedDelivery
    ) throws -> ComposedEmail {
        var view = prepared
        let customSubject = custom?.subject.flatMap { render(Self.plainText + $0, TemplateTree.make(prepared)) }.map(Self.oneLine)
        view.subject = customSubject.flatMap { $0.isEmpty ? nil : $0 } ?? view.defaultSubject(catalog: catalog, order: body.data.order_number)
        let tree = TemplateTree.make(view)
        let html = try custom.flatMap { render($0.body, tree) } ?? renderDefault("emails/\(name)", tree, for: claimed)
        let text = try custom?.textBody.flatMap { render(Self.plainText + $0, tree) } ?? renderDefault("emails/text/\(name)", tree, for: claimed)
        return ComposedEmail(subject: view.subject, html: html, text: Self.tidy(text), unsubscribeURL: view.unsubscribeURL)
    }

    private func sms(_ view: ShopperMessageView, name: String, custom: MessageTemplate?, for claimed: ClaimedDelivery) throws -> String {
        let tree = TemplateTree.make(view)
        let text = try custom.flatMap { render(Self.plainText + $0.body, tree) } ?? renderDefault("sms/\(name)", tree, for: claimed)
        return Self.oneLine(text)
    }

    /// The shopper's language: the one the shipment's customer gave, if translated, else the
    /// tenant's default.
    static func language(customerLocale: String?, tenant: Tenant) -> String {
        customerLocale.flatMap(ShopperLanguage.match) ?? ShopperLanguage.match(tenant.defaultLocale) ?? "en"
    }

    private func prepare(_ claimed: ClaimedDelivery, source: String) throws -> (ShopperMessageView, String, WebhookEventBody) {
        let body: WebhookEventBody
        do {
            body = try JSONDecoder().decode(WebhookEventBody.self, from: Data(claimed.delivery.payload.utf8))
        } catch {
            throw CompositionError(description: "delivery \(claimed.delivery.id) has no readable shipment snapshot: \(error)")
        }
        let trigger = claimed.delivery.trigger
        let name = trigger.map(\.templateName).flatMap { Self.templateNames.contains($0) ? $0 : nil } ?? "generic"
        let language = Self.language(customerLocale: body.data.customer.locale, tenant: claimed.tenant)
        let unsubscribe = claimed.unsubscribeToken.map { links.unsubscribeURL(claimed.tenant, token: $0) }
        // The page on the tenant's own domain when it has one; the snapshot's link otherwise.
        let trackingURL = claimed.shipment.map { links.shopperTrackingURL(claimed.tenant, token: $0.token) } ?? body.data.tracking_url
        let view = ShopperMessageView.make(
            body: body, name: name, substatus: trigger?.substatus, tenant: claimed.tenant, language: language, catalog: catalog,
            trackingURL: trackingURL, unsubscribeURL: unsubscribe, source: source, logoURL: links.logoURL(claimed.tenant))
        return (view, name, body)
    }

    /// The tenant's template for this message and language, read fresh for every send so a
    /// change (or a reset) applies to the next message without a cache to keep in step.
    private func override(_ claimed: ClaimedDelivery, channel: NotificationChannel, name: String, language: String) async throws -> MessageTemplate? {
        try await overrides?.messageTemplate(tenantID: claimed.tenant.id, channel: channel, name: name, locale: language)
    }

    /// Renders the default template `name` of `Views/`; a failure fails this delivery's message.
    private func renderDefault(_ name: String, _ tree: Any, for claimed: ClaimedDelivery) throws(CompositionError) -> String {
        do {
            return try library.rendering(tree, template: name)
        } catch {
            throw CompositionError(description: "delivery \(claimed.delivery.id) cannot be written: \(error)")
        }
    }

    /// Renders a tenant's template text over a view's `TemplateTree`; nil when it no longer parses
    /// (it was checked when saved, so only a newer Mustache could disagree), and the default is used instead.
    private func render(_ text: String, _ tree: Any) -> String? {
        guard let template = try? MustacheTemplate(string: text) else { return nil }
        return template.render(tree, library: library)
    }

    /// Turns off HTML escaping for text that is not HTML (subjects, texts). Prepended on the same
    /// line, so line numbers stay those of the tenant's text.
    static let plainText = "{{% CONTENT_TYPE: TEXT}}"

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// The text part without trailing spaces or runs of blank lines left by empty sections.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var trimmed = line
            while let last = trimmed.last, last == " " || last == "\r" { trimmed = trimmed.dropLast() }
            if trimmed.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(String(trimmed))
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
