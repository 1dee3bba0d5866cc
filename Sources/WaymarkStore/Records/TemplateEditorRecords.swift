import Foundation
import GRDB
import WaymarkCore

/// A row of `page_section`: a tenant's own HTML for one part of the tracking page in one language.
struct PageSectionRecord: Codable, StoredRecord {
    static let databaseTableName = "page_section"
    static let keyColumns = ["tenant_id", "section", "locale"]

    var tenantID: Int64
    var section: PageSection
    var locale: String
    var body: String
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", section, locale, body, updatedAt = "updated_at"
    }

    enum Columns {
        static let tenantID = Column(CodingKeys.tenantID)
        static let section = Column(CodingKeys.section)
        static let locale = Column(CodingKeys.locale)
        static let body = Column(CodingKeys.body)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    var rowID: String { "tenant_id=\(tenantID), section=\(section.rawValue), locale=\(locale)" }
}

/// A row of `template_version`: one saved state of a template slot, or a reset (no body).
struct TemplateVersionRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "template_version"

    var id: Int64
    var tenantID: Int64
    var slot: String
    var subject: String?
    var body: String?
    var textBody: String?
    var author: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", slot, subject, body, textBody = "text_body", author, createdAt = "created_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let slot = Column(CodingKeys.slot)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The version this row holds; a slot the code no longer knows names the row.
    func version() throws -> TemplateVersion {
        guard let parsed = TemplateSlot(parsing: slot) else {
            throw unreadable(CodingKeys.slot, "'\(slot)' names no template")
        }
        return TemplateVersion(id: id, slot: parsed, subject: subject, body: body, textBody: textBody, author: author, createdAt: createdAt)
    }
}
