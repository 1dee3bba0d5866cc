import Foundation
import GRDB
import WaymarkCore

/// A row of `message_template`: a tenant's own wording for one message in one language. Saving
/// replaces the row (an upsert); this record reads them back.
struct MessageTemplateRecord: Codable, StoredRecord {
    static let databaseTableName = "message_template"
    static let keyColumns = ["tenant_id", "channel", "name", "locale"]

    var tenantID: Int64
    var channel: NotificationChannel
    var name: String
    var locale: String
    var subject: String?
    var body: String
    var textBody: String?
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", channel, name, locale, subject, body, textBody = "text_body", updatedAt = "updated_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let channel = Column(CodingKeys.channel)
        static let name = Column(CodingKeys.name)
        static let locale = Column(CodingKeys.locale)
        static let subject = Column(CodingKeys.subject)
        static let body = Column(CodingKeys.body)
        static let textBody = Column(CodingKeys.textBody)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    var rowID: String { "tenant_id=\(tenantID), channel=\(channel.rawValue), name=\(name), locale=\(locale)" }

    /// The template this row holds.
    var template: MessageTemplate {
        MessageTemplate(tenantID: tenantID, channel: channel, name: name, locale: locale, subject: subject, body: body, textBody: textBody,
            updatedAt: updatedAt)
    }
}
