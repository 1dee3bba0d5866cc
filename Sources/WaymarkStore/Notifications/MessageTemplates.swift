import Foundation
import GRDB
import WaymarkCore

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
