import Foundation

/// A tenant's own wording for one shopper message in one language, replacing the shipped
/// default in `Views/`. The text is checked as a template by whoever saves it (WaymarkWeb's
/// `TemplateCheck`); the store keeps it as given.
public struct MessageTemplate: Sendable, Equatable {
    public var tenantID: Int64
    /// `.email` or `.sms`.
    public var channel: NotificationChannel
    /// A trigger's `templateName` (`out_for_delivery`, `stalled`, ...).
    public var name: String
    /// A supported shopper language (`de`, `zh-Hans`).
    public var locale: String
    /// The email subject template; nil keeps the default subject. Unused for SMS.
    public var subject: String?
    /// The HTML part of an email, or the text of an SMS.
    public var body: String
    /// An email's own plain-text part; nil keeps the default text of the same message.
    public var textBody: String?
    public var updatedAt: Date

    public init(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, subject: String?, body: String,
        textBody: String? = nil, updatedAt: Date
    ) {
        self.tenantID = tenantID
        self.channel = channel
        self.name = name
        self.locale = locale
        self.subject = subject
        self.body = body
        self.textBody = textBody
        self.updatedAt = updatedAt
    }

    public var slot: TemplateSlot { TemplateSlot(.message(channel, name: name), locale: locale) }
}

/// Where a template lives: one message on one channel, or one page section, in one language.
/// Written `email/delivered/de`, `sms/stalled/en` or `page/banner/fr` (the history's key).
public struct TemplateSlot: Hashable, Sendable, CustomStringConvertible {
    public enum Part: Hashable, Sendable {
        case message(NotificationChannel, name: String)
        case page(PageSection)
    }

    public var part: Part
    public var locale: String

    public init(_ part: Part, locale: String) {
        self.part = part
        self.locale = locale
    }

    public init?(parsing text: String) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3, !pieces[1].isEmpty, !pieces[2].isEmpty else { return nil }
        if pieces[0] == "page" {
            guard let section = PageSection(rawValue: pieces[1]) else { return nil }
            self.init(.page(section), locale: pieces[2])
        } else {
            guard let channel = NotificationChannel(rawValue: pieces[0]), channel != .webhook else { return nil }
            self.init(.message(channel, name: pieces[1]), locale: pieces[2])
        }
    }

    public var description: String {
        switch part {
        case .message(let channel, let name): "\(channel.rawValue)/\(name)/\(locale)"
        case .page(let section): "page/\(section.rawValue)/\(locale)"
        }
    }
}

/// One saved state of a template: what was saved, by whom and when. A reset (back to the
/// default) is a version without a body.
public struct TemplateVersion: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var slot: TemplateSlot
    public var subject: String?
    public var body: String?
    public var textBody: String?
    /// The person's email, or `waymark CLI`.
    public var author: String
    public var createdAt: Date

    public init(id: Int64, slot: TemplateSlot, subject: String?, body: String?, textBody: String?, author: String, createdAt: Date) {
        self.id = id
        self.slot = slot
        self.subject = subject
        self.body = body
        self.textBody = textBody
        self.author = author
        self.createdAt = createdAt
    }

    public var isReset: Bool { body == nil }
}

/// What a tenant set about its messages: notification rules and sender settings, and the
/// templates it reworded (the defaults ship with the binary).
public protocol TemplateStore: Sendable {
    func notificationSettings(tenantID: Int64) async throws -> NotificationSettings
    /// Changes the given settings; a nil argument keeps what is stored.
    func updateNotificationSettings(
        tenantID: Int64, rules: NotificationRules.Overrides?, stalledAfterDays: Int?, subscribeContacts: Bool?, selfSubscription: Bool?,
        senderName: String?, senderEmail: String?, replyTo: String?, smsFrom: String?, quietHours: (start: Int, end: Int)?,
        now: Date
    ) async throws

    /// Saves the template (its `updatedAt` is the time) and adds it to the slot's history.
    func setMessageTemplate(_ template: MessageTemplate, author: String) async throws
    /// The tenant's own wording of one message in one language; nil means the default.
    func messageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> MessageTemplate?
    func messageTemplates(tenantID: Int64) async throws -> [MessageTemplate]
    /// Goes back to the default, noted in the history; false when there was nothing to remove.
    @discardableResult
    func deleteMessageTemplate(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, author: String, now: Date
    ) async throws -> Bool

    /// The tenant's own sections of the tracking page in one language.
    func pageSections(tenantID: Int64, locale: String) async throws -> [PageSection: String]
    /// Every section the tenant replaced, in any language, with when.
    func pageSectionSlots(tenantID: Int64) async throws -> [TemplateSlot: Date]
    /// Saves a section, adds it to the history and counts the change in `Tenant.pagesVersion`.
    func setPageSection(tenantID: Int64, section: PageSection, locale: String, body: String, author: String, now: Date) async throws
    @discardableResult
    func deletePageSection(tenantID: Int64, section: PageSection, locale: String, author: String, now: Date) async throws -> Bool

    /// A slot's saved versions, newest first (at most `limit`).
    func templateVersions(tenantID: Int64, slot: TemplateSlot, limit: Int) async throws -> [TemplateVersion]
    /// One version, if it is the tenant's.
    func templateVersion(tenantID: Int64, id: Int64) async throws -> TemplateVersion?
    /// The review and product links of delivered pages, the review link first.
    func afterDeliveryLinks(tenantID: Int64) async throws -> [AfterDeliveryLink]
    func afterDeliveryLink(tenantID: Int64, id: Int64) async throws -> AfterDeliveryLink?
    /// Replaces the links. A link saved again unchanged keeps its id and its clicks; a changed
    /// one is a new link. Cached tracking pages are outdated (`Tenant.pagesVersion`).
    func setAfterDeliveryLinks(tenantID: Int64, _ links: AfterDeliveryLinks, now: Date) async throws -> [AfterDeliveryLink]
}
