import Foundation
import WaymarkCore

/// The models of the template editor's pages (`Views/admin/templates.mustache` and
/// `template.mustache`): plain strings and flags, built by `make`.
enum AdminTemplateViews {
    /// The names of things, in the admin's language.
    struct Labels {
        let site: AdminSite
        let context: WaymarkRequestContext

        func text(_ key: String, _ values: [String: String] = [:]) -> String { site.text(key, context, values) }

        /// A message by its trigger: the status's own name, or the admin's word for the others.
        func message(_ name: String) -> String {
            DeliveryStatus(rawValue: name) != nil ? site.catalog.text("status_\(name)", context.adminLanguage) : text("template_name_\(name)")
        }

        func section(_ section: PageSection) -> String { text("section_\(section.rawValue)") }
        func channel(_ channel: NotificationChannel) -> String { text("channel_\(channel.rawValue)") }
        func language(_ code: String) -> String { site.catalog.table(code)["language_name"] ?? code }

        func slot(_ slot: TemplateSlot) -> String {
            let what = switch slot.part {
            case .message(let channel, let name): "\(message(name)) · \(self.channel(channel))"
            case .page(let section): "\(text("tracking_page")) · \(self.section(section))"
            }
            return "\(what) · \(language(slot.locale))"
        }
    }

    struct ListPage: Encodable {
        let action = SiteRoute.adminTemplates.path()
        let languages: [AdminShipmentsController.Option]
        let languageName: String
        let messages: [MessageRow]
        let sections: [SectionRow]

        struct MessageRow: Encodable {
            let name: String
            let emailURL: String
            let emailCustomized: Bool
            let smsURL: String
            let smsCustomized: Bool
        }

        struct SectionRow: Encodable {
            let name: String
            let url: String
            let customized: Bool
        }

        static func make(language: String, customized: Set<TemplateSlot>, labels: Labels) -> ListPage {
            func url(_ slot: TemplateSlot) -> String { SiteRoute.adminTemplate.path(AdminTemplatesController.segments(slot)) }
            return ListPage(
                languages: ShopperLanguage.supported.map { .init(value: $0, label: labels.language($0), selected: $0 == language) },
                languageName: labels.language(language),
                messages: TemplateMessageComposer.templateNames.map { name in
                    let email = TemplateSlot(.message(.email, name: name), locale: language)
                    let sms = TemplateSlot(.message(.sms, name: name), locale: language)
                    return MessageRow(
                        name: labels.message(name), emailURL: url(email), emailCustomized: customized.contains(email), smsURL: url(sms),
                        smsCustomized: customized.contains(sms))
                },
                sections: PageSection.allCases.map { section in
                    let slot = TemplateSlot(.page(section), locale: language)
                    return SectionRow(name: labels.section(section), url: url(slot), customized: customized.contains(slot))
                })
        }
    }

    struct Preview: Encodable {
        let frameURL: String
        var subject: String?
        var text: String?
        var sms: SMS?

        struct SMS: Encodable {
            let text: String
            let characters: Int
            let segments: Int
            let unicode: Bool

            init(text: String, segments: SMSSegments) {
                self.text = text
                characters = text.count
                self.segments = segments.count
                unicode = segments.encoding == .ucs2
            }
        }
    }

    struct EditorPage: Encodable {
        let heading: String
        let isEmail: Bool
        let isSMS: Bool
        let isPage: Bool
        let action: String
        let restoreURL: String
        let listURL: String
        let subject: String
        let body: String
        let text: String
        let customized: Bool
        let problems: [Problem]
        let hasProblems: Bool
        /// The body's lines, numbered, with each problem beside its line.
        let listing: [ListingLine]
        let hasListing: Bool
        let preview: Preview?
        let statuses: [AdminShipmentsController.Option]
        let draftID: String?
        let fields: [String]
        let versions: [VersionRow]
        let hasVersions: Bool
        let diff: Diff?

        struct Problem: Encodable {
            let text: String
        }

        struct ListingLine: Encodable {
            let number: Int
            let text: String
            let problems: [String]
            let hasProblems: Bool
        }

        struct VersionRow: Encodable {
            let id: String
            let when: String
            let author: String
            let reset: Bool
            let fromChecked: Bool
            let toChecked: Bool
        }

        struct Diff: Encodable {
            let from: String
            let to: String
            let lines: [LineDiff.Line]
            let unchanged: Bool
        }

        static func make(
            slot: TemplateSlot, shown: TemplateCandidate, customized: Bool, versions: [TemplateVersion], problems: [TemplateProblem],
            preview: Preview?, status: DeliveryStatus, draftID: String?, compared: (TemplateVersion, TemplateVersion)?, labels: Labels,
            catalog: Catalog, adminLanguage: String
        ) -> EditorPage {
            let segments = AdminTemplatesController.segments(slot)
            let (isEmail, isSMS): (Bool, Bool) = switch slot.part {
            case .message(.sms, _): (false, true)
            case .message: (true, false)
            case .page: (false, false)
            }
            let bodyProblems = Dictionary(grouping: problems.filter { $0.field == nil && $0.line != nil }, by: { $0.line ?? 0 })
            let listing = bodyProblems.isEmpty ? [] : shown.body.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
                ListingLine(
                    number: index + 1, text: String(line),
                    problems: bodyProblems[index + 1]?.map { TemplateProblem(line: nil, column: $0.column, $0.reason).description } ?? [],
                    hasProblems: bodyProblems[index + 1] != nil)
            }
            let newest = versions.first?.id
            let older = versions.dropFirst().first?.id
            return EditorPage(
                heading: labels.slot(slot), isEmail: isEmail, isSMS: isSMS, isPage: !isEmail && !isSMS,
                action: SiteRoute.adminTemplate.path(segments), restoreURL: SiteRoute.adminTemplateRestore.path(segments),
                listURL: SiteRoute.adminTemplates.path() + "?locale=\(slot.locale)",
                subject: shown.subject ?? "", body: shown.body, text: shown.textBody ?? "", customized: customized,
                problems: problems.map { problem in
                    let place = TemplateProblem(line: problem.line, column: problem.column, problem.reason)
                    return Problem(text: (problem.field.map { labels.text("template_field_\($0)") + " · " } ?? "") + place.description)
                },
                hasProblems: !problems.isEmpty, listing: listing, hasListing: !listing.isEmpty, preview: preview,
                statuses: DeliveryStatus.allCases.map { .init(value: $0.rawValue, label: catalog.text("status_\($0.rawValue)", adminLanguage), selected: $0 == status) },
                draftID: draftID,
                fields: slot.vocabularyFields,
                versions: versions.map { version in
                    VersionRow(
                        id: String(version.id), when: AdminDate.format(version.createdAt), author: version.author, reset: version.isReset,
                        fromChecked: version.id == (compared?.0.id ?? older), toChecked: version.id == (compared?.1.id ?? newest))
                },
                hasVersions: !versions.isEmpty,
                diff: compared.map { old, new in
                    let lines = LineDiff.lines(from: document(old, labels: labels), to: document(new, labels: labels))
                    return Diff(
                        from: "\(AdminDate.format(old.createdAt)) · \(old.author)", to: "\(AdminDate.format(new.createdAt)) · \(new.author)",
                        lines: lines, unchanged: lines.allSatisfy { $0.change == .same })
                })
        }

        /// A version as one text for the diff: subject, body and text part, or the default.
        static func document(_ version: TemplateVersion, labels: Labels) -> String {
            guard let body = version.body else { return labels.text("template_default_marker") }
            var parts: [String] = []
            if let subject = version.subject { parts.append("\(labels.text("template_field_subject")): \(subject)") }
            parts.append(body)
            if let text = version.textBody { parts.append("— \(labels.text("template_field_text")) —\n\(text)") }
            return parts.joined(separator: "\n")
        }
    }

    /// A text message shown as a small page in the preview frame.
    static func smsDocument(_ text: String, language: String) -> String {
        """
        <!doctype html><html lang="\(XMLText.escape(language))"><head><meta charset="utf-8"><title>SMS</title>\
        <style>body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0;padding:1rem}\
        p{background:#e5e7eb;border-radius:1rem;padding:.75rem 1rem;max-width:22rem;white-space:pre-wrap;overflow-wrap:anywhere}</style>\
        </head><body><p>\(XMLText.escape(text))</p></body></html>
        """
    }
}

extension TemplateSlot {
    /// The fields a template in this slot may use, as `{{name}}`.
    var vocabularyFields: [String] {
        bodyKind.vocabulary.fields.sorted().map { "{{\($0)}}" }
    }
}
