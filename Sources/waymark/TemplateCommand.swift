import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkWeb

/// `waymark template`: a merchant's own wording for a shopper email or text, per message and language.
struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Replace or restore the wording of shopper emails and texts.",
        subcommands: [SetTemplate.self, ResetTemplate.self, ListTemplates.self])

    /// The options that name one template.
    struct Selector: ParsableArguments {
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "email or sms.") var channel: String
        @Option(help: "The message: \(TemplateMessageComposer.templateNames.joined(separator: ", ")).") var name: String
        @Option(help: "The language: \(ShopperLanguage.supported.joined(separator: ", ")).") var locale: String

        func resolved() throws -> (channel: NotificationChannel, name: String, locale: String) {
            guard let channel = NotificationChannel(rawValue: channel), channel != .webhook else {
                throw CLIError("--channel must be email or sms, not '\(self.channel)'")
            }
            guard TemplateMessageComposer.templateNames.contains(name) else {
                throw CLIError("--name '\(name)' is not a message; use one of \(TemplateMessageComposer.templateNames.joined(separator: ", "))")
            }
            guard ShopperLanguage.supported.contains(locale) else {
                throw CLIError("--locale '\(locale)' is not one of \(ShopperLanguage.supported.joined(separator: ", "))")
            }
            return (channel, name, locale)
        }

        func tenantID(in db: any TenantStore) async throws -> Int64 {
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            return found.id
        }
    }

    struct SetTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Use a Mustache template from a file for one message in one language (email: the HTML part).")

        @OptionGroup var selector: Selector
        @Option(help: "Email subject template (email only); the default subject when omitted.") var subject: String?
        @Option(help: "The template file (UTF-8, at most 100 KB).") var file: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (channel, name, locale) = try selector.resolved()
            guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else { throw CLIError("cannot read template file '\(file)'") }
            guard size <= MessageTemplateCheck.maximumBytes else {
                throw CLIError("'\(file)' is \(size) bytes; a template may have at most \(MessageTemplateCheck.maximumBytes)")
            }
            guard let data = FileManager.default.contents(atPath: file), let body = String(data: data, encoding: .utf8) else {
                throw CLIError("'\(file)' cannot be read as UTF-8 text")
            }
            if subject != nil, channel == .sms { throw CLIError("--subject is for email templates only") }
            do {
                try MessageTemplateCheck.check(body, channel: channel)
            } catch {
                throw CLIError("\(file): \(error)")
            }
            if let subject {
                guard !subject.contains(where: \.isNewline), subject.count <= 300 else {
                    throw CLIError("--subject must be one line of at most 300 characters")
                }
                do { try MessageTemplateCheck.check(subject, channel: channel, subject: true) } catch {
                    throw CLIError("--subject: \(error)")
                }
            }
            let db = try openDatabase(database.path)
            let tenantID = try await selector.tenantID(in: db)
            try await db.setMessageTemplate(tenantID: tenantID, channel: channel, name: name, locale: locale, subject: subject, body: body, now: Date())
            print("Tenant '\(selector.tenant)' now uses its own \(channel.rawValue) template '\(name)' in \(locale)")
        }
    }

    struct ResetTemplate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset", abstract: "Go back to the default wording for one message in one language.")

        @OptionGroup var selector: Selector
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (channel, name, locale) = try selector.resolved()
            let db = try openDatabase(database.path)
            let tenantID = try await selector.tenantID(in: db)
            let removed = try await db.deleteMessageTemplate(tenantID: tenantID, channel: channel, name: name, locale: locale)
            print(removed ? "Tenant '\(selector.tenant)' uses the default \(channel.rawValue) template '\(name)' in \(locale) again"
                : "Tenant '\(selector.tenant)' had no own \(channel.rawValue) template '\(name)' in \(locale); nothing changed")
        }
    }

    struct ListTemplates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the templates a merchant replaced.")

        @Option(help: "The tenant's slug.") var tenant: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try openDatabase(database.path)
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            let templates = try await db.messageTemplates(tenantID: found.id)
            if templates.isEmpty { print("Tenant '\(found.slug)' uses the default templates") }
            for template in templates {
                print("\(template.channel.rawValue)\t\(template.name)\t\(template.locale)\t\(template.body.utf8.count) bytes\tupdated \(RFC3339.format(template.updatedAt))")
            }
        }
    }
}
