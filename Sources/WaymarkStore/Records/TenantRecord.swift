import Foundation
import GRDB
import WaymarkCore

/// A row of `tenant`: the merchant, its branding (JSON), and its ingest and sending settings.
/// A new tenant is inserted with only the columns it chooses, so the schema's defaults fill the
/// rest; this record reads tenants back, as a `Tenant` and as its settings.
struct TenantRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "tenant"

    var id: Int64
    var slug: String
    var name: String
    /// A JSON `Branding`.
    var branding: String
    var defaultLocale: String
    var timeZone: String
    var customDomain: String?
    var createdAt: Date
    var updatedAt: Date
    var autoCreateShipments: Bool
    var deliveredRetentionDays: Int
    var stalledAfterDays: Int
    /// A JSON `NotificationRules.Overrides`: only what the tenant changed from the defaults.
    var notificationRules: String
    var subscribeContacts: Bool
    var senderName: String?
    var senderEmail: String?
    var replyTo: String?
    var smsFrom: String?
    var quietHoursStart: Int
    var quietHoursEnd: Int
    var pagesVersion: Int64
    var selfSubscription: Bool

    enum CodingKeys: String, CodingKey {
        case id, slug, name, branding, defaultLocale = "default_locale", timeZone = "time_zone", customDomain = "custom_domain"
        case createdAt = "created_at", updatedAt = "updated_at", autoCreateShipments = "auto_create_shipments"
        case deliveredRetentionDays = "delivered_retention_days", stalledAfterDays = "stalled_after_days"
        case notificationRules = "notification_rules", subscribeContacts = "subscribe_contacts", senderName = "sender_name"
        case senderEmail = "sender_email", replyTo = "reply_to", smsFrom = "sms_from"
        case quietHoursStart = "quiet_hours_start", quietHoursEnd = "quiet_hours_end", pagesVersion = "pages_version"
        case selfSubscription = "self_subscription"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let slug = Column(CodingKeys.slug)
        static let name = Column(CodingKeys.name)
        static let branding = Column(CodingKeys.branding)
        static let defaultLocale = Column(CodingKeys.defaultLocale)
        static let timeZone = Column(CodingKeys.timeZone)
        static let customDomain = Column(CodingKeys.customDomain)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
        static let autoCreateShipments = Column(CodingKeys.autoCreateShipments)
        static let deliveredRetentionDays = Column(CodingKeys.deliveredRetentionDays)
        static let stalledAfterDays = Column(CodingKeys.stalledAfterDays)
        static let notificationRules = Column(CodingKeys.notificationRules)
        static let subscribeContacts = Column(CodingKeys.subscribeContacts)
        static let senderName = Column(CodingKeys.senderName)
        static let senderEmail = Column(CodingKeys.senderEmail)
        static let replyTo = Column(CodingKeys.replyTo)
        static let smsFrom = Column(CodingKeys.smsFrom)
        static let quietHoursStart = Column(CodingKeys.quietHoursStart)
        static let quietHoursEnd = Column(CodingKeys.quietHoursEnd)
        static let pagesVersion = Column(CodingKeys.pagesVersion)
        static let selfSubscription = Column(CodingKeys.selfSubscription)
    }

    /// The tenant this row holds.
    func tenant() throws -> Tenant {
        Tenant(
            id: id, slug: slug, name: name, branding: try json(Branding.self, branding, column: CodingKeys.branding),
            defaultLocale: defaultLocale, timeZone: timeZone, customDomain: customDomain, createdAt: createdAt,
            pagesVersion: pagesVersion, selfSubscription: selfSubscription)
    }

    /// How this tenant's messages are sent.
    func notificationSettings() throws -> NotificationSettings {
        let overrides = try json(NotificationRules.Overrides.self, notificationRules, column: CodingKeys.notificationRules)
        return NotificationSettings(
            rules: NotificationRules(overrides, stalledAfterDays: stalledAfterDays), subscribeContacts: subscribeContacts,
            selfSubscription: selfSubscription,
            senderName: senderName, senderEmail: senderEmail, replyTo: replyTo, smsFrom: smsFrom,
            quietHoursStart: quietHoursStart, quietHoursEnd: quietHoursEnd)
    }
}
