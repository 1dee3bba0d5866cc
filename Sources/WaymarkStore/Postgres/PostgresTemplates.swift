import Foundation
import PostgresNIO
import WaymarkCore

// A tenant's notification settings, its own templates (message wording and tracking-page
// sections, each save and reset kept in `template_version` in the same transaction) and its
// after-delivery links on PostgreSQL: the same promises as `NotificationSettingsStore.swift`,
// `MessageTemplates.swift` and `AfterDeliveryLinks.swift` for SQLite.

extension PostgresStore: TemplateStore {
    public func notificationSettings(tenantID: Int64) async throws -> NotificationSettings {
        try await run { c in try await Self.notificationSettings(c, tenantID: tenantID) }
    }

    /// One statement, so the settings change together; an empty sender field clears it.
    public func updateNotificationSettings(
        tenantID: Int64, rules: NotificationRules.Overrides?, stalledAfterDays: Int?, subscribeContacts: Bool?, selfSubscription: Bool?,
        senderName: String?, senderEmail: String?, replyTo: String?, smsFrom: String?, quietHours: (start: Int, end: Int)?,
        now: Date
    ) async throws {
        try await changingSettings {
            let changesSomething = rules != nil || stalledAfterDays != nil || subscribeContacts != nil || selfSubscription != nil
                || senderName != nil || senderEmail != nil || replyTo != nil || smsFrom != nil || quietHours != nil
            guard changesSomething else { return }
            let rulesJSON = try rules.map { try JSONText.encode($0) }
            try await run { c in
                try await c.run("""
                    UPDATE tenant SET
                        notification_rules = coalesce(\(rulesJSON)::text, notification_rules),
                        stalled_after_days = coalesce(\(stalledAfterDays)::integer, stalled_after_days),
                        subscribe_contacts = coalesce(\(subscribeContacts)::boolean, subscribe_contacts),
                        self_subscription = coalesce(\(selfSubscription)::boolean, self_subscription),
                        sender_name = CASE WHEN \(senderName)::text IS NULL THEN sender_name ELSE nullif(\(senderName)::text, '') END,
                        sender_email = CASE WHEN \(senderEmail)::text IS NULL THEN sender_email ELSE nullif(\(senderEmail)::text, '') END,
                        reply_to = CASE WHEN \(replyTo)::text IS NULL THEN reply_to ELSE nullif(\(replyTo)::text, '') END,
                        sms_from = CASE WHEN \(smsFrom)::text IS NULL THEN sms_from ELSE nullif(\(smsFrom)::text, '') END,
                        quiet_hours_start = coalesce(\(quietHours?.start)::integer, quiet_hours_start),
                        quiet_hours_end = coalesce(\(quietHours?.end)::integer, quiet_hours_end),
                        updated_at = \(now)
                    WHERE id = \(tenantID)
                    """)
            }
        }
    }

    // MARK: Message templates

    public func setMessageTemplate(_ template: MessageTemplate, author: String) async throws {
        try await transaction { c in
            try await c.run("""
                INSERT INTO message_template (tenant_id, channel, name, locale, subject, body, text_body, updated_at)
                VALUES (\(template.tenantID), \(template.channel.rawValue), \(template.name), \(template.locale), \(template.subject),
                    \(template.body), \(template.textBody), \(template.updatedAt))
                ON CONFLICT (tenant_id, channel, name, locale) DO UPDATE SET subject = excluded.subject, body = excluded.body,
                    text_body = excluded.text_body, updated_at = excluded.updated_at
                """)
            try await Self.recordVersion(c, tenantID: template.tenantID, slot: template.slot, subject: template.subject, body: template.body,
                                         textBody: template.textBody, author: author, now: template.updatedAt)
        }
    }

    public func messageTemplate(tenantID: Int64, channel: NotificationChannel, name: String, locale: String) async throws -> MessageTemplate? {
        try await run { c in
            try await c.run("""
                SELECT * FROM message_template WHERE tenant_id = \(tenantID) AND channel = \(channel.rawValue) AND name = \(name)
                    AND locale = \(locale)
                """).record(MessageTemplateRecord.self)?.template
        }
    }

    /// Every template the tenant changed, by channel, name and language (in byte order, as SQLite sorts).
    public func messageTemplates(tenantID: Int64) async throws -> [MessageTemplate] {
        try await run { c in
            try await c.run("""
                SELECT * FROM message_template WHERE tenant_id = \(tenantID)
                ORDER BY channel COLLATE "C", name COLLATE "C", locale COLLATE "C"
                """).records(MessageTemplateRecord.self).map(\.template)
        }
    }

    /// Two nodes resetting one template at once: the second waits for the first's row lock and
    /// then finds nothing to delete, so the history notes one reset.
    @discardableResult
    public func deleteMessageTemplate(
        tenantID: Int64, channel: NotificationChannel, name: String, locale: String, author: String, now: Date
    ) async throws -> Bool {
        try await transaction { c in
            let deleted = try await c.run("""
                DELETE FROM message_template WHERE tenant_id = \(tenantID) AND channel = \(channel.rawValue) AND name = \(name)
                    AND locale = \(locale)
                RETURNING 1
                """).value(Int32.self)
            guard deleted != nil else { return false }
            try await Self.recordVersion(c, tenantID: tenantID, slot: TemplateSlot(.message(channel, name: name), locale: locale),
                                         subject: nil, body: nil, textBody: nil, author: author, now: now)
            return true
        }
    }

    // MARK: Page sections

    public func pageSections(tenantID: Int64, locale: String) async throws -> [PageSection: String] {
        try await run { c in
            let rows = try await c.run("SELECT * FROM page_section WHERE tenant_id = \(tenantID) AND locale = \(locale)")
                .records(PageSectionRecord.self)
            return Dictionary(rows.map { ($0.section, $0.body) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func pageSectionSlots(tenantID: Int64) async throws -> [TemplateSlot: Date] {
        try await run { c in
            let rows = try await c.run("SELECT * FROM page_section WHERE tenant_id = \(tenantID)").records(PageSectionRecord.self)
            return Dictionary(rows.map { (TemplateSlot(.page($0.section), locale: $0.locale), $0.updatedAt) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func setPageSection(tenantID: Int64, section: PageSection, locale: String, body: String, author: String, now: Date) async throws {
        try await changingSettings {
            try await transaction { c in
                try await c.run("""
                    INSERT INTO page_section (tenant_id, section, locale, body, updated_at)
                    VALUES (\(tenantID), \(section.rawValue), \(locale), \(body), \(now))
                    ON CONFLICT (tenant_id, section, locale) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                    """)
                try await c.run("UPDATE tenant SET pages_version = pages_version + 1 WHERE id = \(tenantID)")
                try await Self.recordVersion(c, tenantID: tenantID, slot: TemplateSlot(.page(section), locale: locale), subject: nil, body: body,
                                             textBody: nil, author: author, now: now)
            }
        }
    }

    @discardableResult
    public func deletePageSection(tenantID: Int64, section: PageSection, locale: String, author: String, now: Date) async throws -> Bool {
        try await changingSettings {
            return try await transaction { c in
                let deleted = try await c.run("""
                    DELETE FROM page_section WHERE tenant_id = \(tenantID) AND section = \(section.rawValue) AND locale = \(locale) RETURNING 1
                    """).value(Int32.self)
                guard deleted != nil else { return false }
                try await c.run("UPDATE tenant SET pages_version = pages_version + 1 WHERE id = \(tenantID)")
                try await Self.recordVersion(c, tenantID: tenantID, slot: TemplateSlot(.page(section), locale: locale), subject: nil, body: nil,
                                             textBody: nil, author: author, now: now)
                return true
            }
        }
    }

    // MARK: History

    public func templateVersions(tenantID: Int64, slot: TemplateSlot, limit: Int) async throws -> [TemplateVersion] {
        // SQLite reads a negative LIMIT as none; PostgreSQL refuses one, and takes NULL for none.
        let limit: Int? = limit < 0 ? nil : limit
        return try await run { c in
            try await c.run("""
                SELECT * FROM template_version WHERE tenant_id = \(tenantID) AND slot = \(slot.description) ORDER BY id DESC LIMIT \(limit)::bigint
                """).records(TemplateVersionRecord.self).map { try $0.version() }
        }
    }

    public func templateVersion(tenantID: Int64, id: Int64) async throws -> TemplateVersion? {
        try await run { c in
            try await c.run("SELECT * FROM template_version WHERE tenant_id = \(tenantID) AND id = \(id)").record(TemplateVersionRecord.self)?
                .version()
        }
    }

    private static func recordVersion(
        _ c: PostgresConnection, tenantID: Int64, slot: TemplateSlot, subject: String?, body: String?, textBody: String?, author: String,
        now: Date
    ) async throws {
        try await c.run("""
            INSERT INTO template_version (tenant_id, slot, subject, body, text_body, author, created_at)
            VALUES (\(tenantID), \(slot.description), \(subject), \(body), \(textBody), \(author), \(now))
            """)
    }

    // MARK: After-delivery links

    public func afterDeliveryLinks(tenantID: Int64) async throws -> [AfterDeliveryLink] {
        try await run { c in try await Self.afterDeliveryLinks(c, tenantID: tenantID).map { try $0.link() } }
    }

    public func afterDeliveryLink(tenantID: Int64, id: Int64) async throws -> AfterDeliveryLink? {
        try await run { c in
            try await c.run("SELECT * FROM after_delivery_link WHERE tenant_id = \(tenantID) AND id = \(id)").record(AfterDeliveryLinkRecord.self)?
                .link()
        }
    }

    /// The tenant's row is locked first, so two nodes saving links at once take turns: the second
    /// compares with what the first saved, as it would had they come one after the other.
    public func setAfterDeliveryLinks(tenantID: Int64, _ links: AfterDeliveryLinks, now: Date) async throws -> [AfterDeliveryLink] {
        try await changingSettings {
            let positions = links.byPosition
            return try await transaction { [positions] c in
                try await c.run("SELECT 1 FROM tenant WHERE id = \(tenantID) FOR UPDATE")
                var wanted = positions
                for old in try await Self.afterDeliveryLinks(c, tenantID: tenantID) {
                    if let (kind, link) = wanted[old.position], old.holds(kind, link) {
                        wanted[old.position] = nil
                    } else {
                        try await c.run("DELETE FROM after_delivery_link WHERE id = \(old.id)")
                    }
                }
                for (position, (kind, link)) in wanted.sorted(by: { $0.key < $1.key }) {
                    try await c.run(AfterDeliveryLinkRecord(
                        id: nil, tenantID: tenantID, position: position, kind: kind.rawValue, title: link.title, imageURL: link.imageURL, url: link.url,
                        createdAt: now
                    ).postgresInsert())
                }
                try await c.run("UPDATE tenant SET pages_version = pages_version + 1 WHERE id = \(tenantID)")
                return try await Self.afterDeliveryLinks(c, tenantID: tenantID).map { try $0.link() }
            }
        }
    }

    private static func afterDeliveryLinks(_ c: PostgresConnection, tenantID: Int64) async throws -> [AfterDeliveryLinkRecord] {
        try await c.run("SELECT * FROM after_delivery_link WHERE tenant_id = \(tenantID) ORDER BY position").records(AfterDeliveryLinkRecord.self)
    }
}
