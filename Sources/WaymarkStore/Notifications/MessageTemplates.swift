import Foundation
import GRDB
import WaymarkCore

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

extension AppDatabase {
    /// Saves (or replaces) the tenant's template for this channel, name and language.
    public func setMessageTemplate(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, subject: String?, body: String, now: Date = Date()
    ) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO message_template (tenant_id, channel, name, locale, subject, body, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, channel, name, locale) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                    updated_at = excluded.updated_at
                """, arguments: [tenantID, channel.rawValue, name, locale, subject, body, now])
        }
    }

    public func messageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> MessageTemplate? {
        try await read { db in try Self.messageTemplate(db, tenantID: tenantID, channel: channel, name: name, locale: locale) }
    }

    /// The same lookup without `await`, for the message composer, whose contract is synchronous:
    /// one primary-key read, so every send sees the tenant's latest saved wording (also when
    /// `waymark template set` ran in another process) without a cache to invalidate.
    public func messageTemplateNow(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) throws -> MessageTemplate? {
        try pool.read { db in try Self.messageTemplate(db, tenantID: tenantID, channel: channel, name: name, locale: locale) }
    }

    /// Every template the tenant changed, by channel, name and language.
    public func messageTemplates(tenantID: Int64) async throws -> [MessageTemplate] {
        try await read { db in
            try MessageTemplateRecord.fetchAll(db, sql: "SELECT * FROM message_template WHERE tenant_id = ? ORDER BY channel, name, locale",
                                               arguments: [tenantID]).map(\.template)
        }
    }

    /// Goes back to the shipped default. False when the tenant had no such template.
    @discardableResult
    public func deleteMessageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM message_template WHERE tenant_id = ? AND channel = ? AND name = ? AND locale = ?",
                           arguments: [tenantID, channel.rawValue, name, locale])
            return db.changesCount == 1
        }
    }

    private static func messageTemplate(
        _ db: Database, tenantID: Int64, channel: NotificationChannel, name: String, locale: String
    ) throws -> MessageTemplate? {
        try MessageTemplateRecord.fetchOne(db, sql: "SELECT * FROM message_template WHERE tenant_id = ? AND channel = ? AND name = ? AND locale = ?",
                                           arguments: [tenantID, channel.rawValue, name, locale])?.template
    }
}
