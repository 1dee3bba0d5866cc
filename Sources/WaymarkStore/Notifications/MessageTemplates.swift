import Foundation
import GRDB
import WaymarkCore

/// A tenant's own templates: message wording and tracking-page sections, each save and reset
/// kept in `template_version` in the same transaction, so the history never misses a change.
extension AppDatabase {
    public func setMessageTemplate(_ template: MessageTemplate, author: String) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO message_template (tenant_id, channel, name, locale, subject, body, text_body, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, channel, name, locale) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                    text_body = excluded.text_body, updated_at = excluded.updated_at
                """, arguments: [template.tenantID, template.channel.rawValue, template.name, template.locale, template.subject,
                                 template.body, template.textBody, template.updatedAt])
            try Self.recordVersion(db, tenantID: template.tenantID, slot: template.slot, subject: template.subject, body: template.body,
                                   textBody: template.textBody, author: author, now: template.updatedAt)
        }
    }

    public func messageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> MessageTemplate? {
        try await read { db in
            try MessageTemplateRecord.fetchOne(
                db, sql: "SELECT * FROM message_template WHERE tenant_id = ? AND channel = ? AND name = ? AND locale = ?",
                arguments: [tenantID, channel.rawValue, name, locale])?.template
        }
    }

    /// Every template the tenant changed, by channel, name and language.
    public func messageTemplates(tenantID: Int64) async throws -> [MessageTemplate] {
        try await read { db in
            try MessageTemplateRecord.fetchAll(db, sql: "SELECT * FROM message_template WHERE tenant_id = ? ORDER BY channel, name, locale",
                                               arguments: [tenantID]).map(\.template)
        }
    }

    @discardableResult
    public func deleteMessageTemplate(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, author: String, now: Date = Date()
    ) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM message_template WHERE tenant_id = ? AND channel = ? AND name = ? AND locale = ?",
                           arguments: [tenantID, channel.rawValue, name, locale])
            guard db.changesCount == 1 else { return false }
            try Self.recordVersion(db, tenantID: tenantID, slot: TemplateSlot(.message(channel, name: name), locale: locale),
                                   subject: nil, body: nil, textBody: nil, author: author, now: now)
            return true
        }
    }

    public func pageSections(tenantID: Int64, locale: String) async throws -> [PageSection: String] {
        try await read { db in
            let rows = try PageSectionRecord.fetchAll(db, sql: "SELECT * FROM page_section WHERE tenant_id = ? AND locale = ?",
                                                      arguments: [tenantID, locale])
            return Dictionary(rows.map { ($0.section, $0.body) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func pageSectionSlots(tenantID: Int64) async throws -> [TemplateSlot: Date] {
        try await read { db in
            let rows = try PageSectionRecord.fetchAll(db, sql: "SELECT * FROM page_section WHERE tenant_id = ?", arguments: [tenantID])
            return Dictionary(rows.map { (TemplateSlot(.page($0.section), locale: $0.locale), $0.updatedAt) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func setPageSection(tenantID: Int64, section: PageSection, locale: String, body: String, author: String, now: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO page_section (tenant_id, section, locale, body, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, section, locale) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                """, arguments: [tenantID, section.rawValue, locale, body, now])
            try db.execute(sql: "UPDATE tenant SET pages_version = pages_version + 1 WHERE id = ?", arguments: [tenantID])
            try Self.recordVersion(db, tenantID: tenantID, slot: TemplateSlot(.page(section), locale: locale), subject: nil, body: body,
                                   textBody: nil, author: author, now: now)
        }
    }

    @discardableResult
    public func deletePageSection(tenantID: Int64, section: PageSection, locale: String, author: String, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM page_section WHERE tenant_id = ? AND section = ? AND locale = ?",
                           arguments: [tenantID, section.rawValue, locale])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "UPDATE tenant SET pages_version = pages_version + 1 WHERE id = ?", arguments: [tenantID])
            try Self.recordVersion(db, tenantID: tenantID, slot: TemplateSlot(.page(section), locale: locale), subject: nil, body: nil,
                                   textBody: nil, author: author, now: now)
            return true
        }
    }

    public func templateVersions(tenantID: Int64, slot: TemplateSlot, limit: Int) async throws -> [TemplateVersion] {
        try await read { db in
            try TemplateVersionRecord.fetchAll(
                db, sql: "SELECT * FROM template_version WHERE tenant_id = ? AND slot = ? ORDER BY id DESC LIMIT ?",
                arguments: [tenantID, slot.description, limit]
            ).map { try $0.version() }
        }
    }

    public func templateVersion(tenantID: Int64, id: Int64) async throws -> TemplateVersion? {
        try await read { db in
            try TemplateVersionRecord.fetchOne(db, sql: "SELECT * FROM template_version WHERE tenant_id = ? AND id = ?",
                                               arguments: [tenantID, id])?.version()
        }
    }

    private static func recordVersion(
        _ db: Database, tenantID: Int64, slot: TemplateSlot, subject: String?, body: String?, textBody: String?, author: String, now: Date
    ) throws {
        try db.execute(sql: """
            INSERT INTO template_version (tenant_id, slot, subject, body, text_body, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [tenantID, slot.description, subject, body, textBody, author, now])
    }
}
