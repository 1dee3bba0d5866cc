import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkWeb

/// `waymark template`: a merchant's own wording for a shopper email or text, or its own section
/// of the tracking page, per language. Every save passes the same check as the admin's editor.
struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Replace, check or restore shopper emails, texts and tracking-page sections.",
        subcommands: [SetTemplate.self, ResetTemplate.self, ListTemplates.self, CheckTemplates.self])

    /// Who the history names for a change made here.
    static let author = "waymark CLI"

    /// The options that name one template.
    struct Selector: ParsableArguments {
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "email or sms (or use --section).") var channel: String?
        @Option(help: "The message: \(TemplateMessageComposer.templateNames.joined(separator: ", ")).") var name: String?
        @Option(help: "A tracking-page section instead of a message: \(PageSection.allCases.map(\.rawValue).joined(separator: ", ")).")
        var section: String?
        @Option(help: "The language: \(ShopperLanguage.supported.joined(separator: ", ")).") var locale: String

        func slot() throws -> TemplateSlot {
            guard ShopperLanguage.supported.contains(locale) else {
                throw CLIError("--locale '\(locale)' is not one of \(ShopperLanguage.supported.joined(separator: ", "))")
            }
            if let section {
                guard channel == nil, name == nil else { throw CLIError("give either --section or --channel and --name, not both") }
                guard let parsed = PageSection(rawValue: section) else {
                    throw CLIError("--section '\(section)' is not one of \(PageSection.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return TemplateSlot(.page(parsed), locale: locale)
            }
            guard let channel, let parsed = NotificationChannel(rawValue: channel), parsed != .webhook else {
                throw CLIError("--channel must be email or sms (or give --section for a page section), not '\(channel ?? "")'")
            }
            guard let name, TemplateMessageComposer.templateNames.contains(name) else {
                throw CLIError("--name '\(name ?? "")' is not a message; use one of \(TemplateMessageComposer.templateNames.joined(separator: ", "))")
            }
            return TemplateSlot(.message(parsed, name: name), locale: locale)
        }

        func tenant(in db: any TenantStore) async throws -> Tenant {
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            return found
        }
    }

    struct SetTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Use a Mustache template from a file for one message or page section in one language (email: the HTML part).")

        @OptionGroup var selector: Selector
        @Option(help: "Email subject template (email only); the default subject when omitted.") var subject: String?
        @Option(help: "The template file (UTF-8, at most 64 KB).") var file: String
        @Option(help: "A file with the email's plain-text part (email only); the default text when omitted.") var textFile: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let slot = try selector.slot()
            let isEmail = if case .message(.email, _) = slot.part { true } else { false }
            if subject != nil || textFile != nil, !isEmail { throw CLIError("--subject and --text-file are for email templates only") }
            let candidate = TemplateCandidate(slot: slot, subject: subject, body: try Self.read(file), textBody: try textFile.map(Self.read))
            let db = try await database.open()
            let tenant = try await selector.tenant(in: db)
            let now = Date()
            let samples = try TemplateSamples.load(resourcesPath: AppConfig.defaultResourcesPath(), links: db.links)
            let problems = samples.problems(in: candidate, tenant: tenant, now: now)
            guard problems.isEmpty else {
                throw CLIError("\(file) was not saved: " + problems.map(\.description).joined(separator: "; "))
            }
            switch slot.part {
            case .message(let channel, let name):
                try await db.setMessageTemplate(
                    MessageTemplate(
                        tenantID: tenant.id, channel: channel, name: name, locale: slot.locale, subject: subject, body: candidate.body,
                        textBody: candidate.textBody, updatedAt: now),
                    author: TemplateCommand.author)
            case .page(let section):
                try await db.setPageSection(tenantID: tenant.id, section: section, locale: slot.locale, body: candidate.body,
                                            author: TemplateCommand.author, now: now)
            }
            print("Tenant '\(tenant.slug)' now uses its own \(slot)")
        }

        static func read(_ path: String) throws -> String {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
                throw CLIError("cannot read template file '\(path)'")
            }
            guard size <= TemplateKind.maximumBytes else {
                throw CLIError("'\(path)' is \(size) bytes; a template may have at most \(TemplateKind.maximumBytes)")
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw CLIError("'\(path)' cannot be read as UTF-8 text")
            }
            return text
        }
    }

    struct ResetTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset", abstract: "Go back to the default for one message or section in one language.")

        @OptionGroup var selector: Selector
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let slot = try selector.slot()
            let db = try await database.open()
            let tenant = try await selector.tenant(in: db)
            let removed = switch slot.part {
            case .message(let channel, let name):
                try await db.deleteMessageTemplate(
                    tenantID: tenant.id, channel: channel, name: name, locale: slot.locale, author: TemplateCommand.author, now: Date())
            case .page(let section):
                try await db.deletePageSection(tenantID: tenant.id, section: section, locale: slot.locale, author: TemplateCommand.author, now: Date())
            }
            print(removed ? "Tenant '\(tenant.slug)' uses the default \(slot) again" : "Tenant '\(tenant.slug)' had no own \(slot); nothing changed")
        }
    }

    struct ListTemplates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the templates a merchant replaced.")

        @Option(help: "The tenant's slug.") var tenant: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            let messages = try await db.messageTemplates(tenantID: found.id).map { ($0.slot, $0.updatedAt) }
            let sections = try await db.pageSectionSlots(tenantID: found.id).sorted { $0.key.description < $1.key.description }
            if messages.isEmpty, sections.isEmpty { print("Tenant '\(found.slug)' uses the default templates") }
            for (slot, updated) in messages + sections.map({ ($0.key, $0.value) }) {
                print("\(slot)\tupdated \(RFC3339.format(updated))")
            }
        }
    }

    /// Templates saved before the current rules (or under older ones) that would now be refused:
    /// they keep working until edited, and this is how an operator finds them.
    struct CheckTemplates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Report stored templates that fail today's checks (exit status 1 when any do); they keep working until edited.")

        @Option(help: "Only this tenant's templates (default: every tenant).") var tenant: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await database.open()
            let tenants: [Tenant]
            if let tenant {
                guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
                tenants = [found]
            } else {
                tenants = try await db.tenants()
            }
            let samples = try TemplateSamples.load(resourcesPath: AppConfig.defaultResourcesPath(), links: db.links)
            var checked = 0
            var failing = 0
            for tenant in tenants {
                var candidates = try await db.messageTemplates(tenantID: tenant.id).map {
                    TemplateCandidate(slot: $0.slot, subject: $0.subject, body: $0.body, textBody: $0.textBody)
                }
                for language in ShopperLanguage.supported {
                    for (section, body) in try await db.pageSections(tenantID: tenant.id, locale: language) {
                        candidates.append(TemplateCandidate(slot: TemplateSlot(.page(section), locale: language), body: body))
                    }
                }
                for candidate in candidates {
                    checked += 1
                    let problems = samples.problems(in: candidate, tenant: tenant, now: Date())
                    guard !problems.isEmpty else { continue }
                    failing += 1
                    print("\(tenant.slug) \(candidate.slot):")
                    for problem in problems { print("  \(problem)") }
                }
            }
            print("\(checked) template(s) checked, \(failing) would be refused today")
            if failing > 0 { throw ExitCode(1) }
        }
    }
}
