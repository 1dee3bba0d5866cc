import Foundation

/// A tenant's own wording for one shopper message in one language, replacing the shipped
/// default in `Views/`. The text is checked as a template by whoever saves it (WaymarkWeb's
/// `MessageTemplateCheck`); the store keeps it as given.
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
    public var body: String
    public var updatedAt: Date

    public init(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, subject: String?, body: String, updatedAt: Date
    ) {
        self.tenantID = tenantID
        self.channel = channel
        self.name = name
        self.locale = locale
        self.subject = subject
        self.body = body
        self.updatedAt = updatedAt
    }
}

/// What a tenant set about its messages: notification rules and sender settings, and the
/// templates it reworded (the defaults ship with the binary).
public protocol TemplateStore: Sendable {
    func notificationSettings(tenantID: Int64) async throws -> NotificationSettings
    /// Changes the given settings; a nil argument keeps what is stored.
    func updateNotificationSettings(
        tenantID: Int64, rules: NotificationRules.Overrides?, stalledAfterDays: Int?, subscribeContacts: Bool?,
        senderName: String?, senderEmail: String?, replyTo: String?, smsFrom: String?, quietHours: (start: Int, end: Int)?,
        now: Date
    ) async throws

    func setMessageTemplate(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, subject: String?, body: String, now: Date
    ) async throws
    /// The tenant's own wording of one message in one language; nil means the default.
    func messageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> MessageTemplate?
    func messageTemplates(tenantID: Int64) async throws -> [MessageTemplate]
    @discardableResult
    func deleteMessageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> Bool
}
