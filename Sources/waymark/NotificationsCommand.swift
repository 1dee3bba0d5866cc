import ArgumentParser
import Foundation
import WaymarkCore

extension TenantCommand {
    /// `waymark tenant notifications`: what tells a merchant's shoppers, who signs it, and when
    /// texts may go out. Prints the settings in force after the change.
    struct Notifications: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notifications", abstract: "Show or change a merchant's shopper notification rules and sender.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(name: .customLong("email-statuses"), help: "Statuses whose entry sends an email, comma-separated (or 'none').")
        var emailStatuses: String?
        @Option(name: .customLong("sms-statuses"), help: "Statuses whose entry sends a text, comma-separated (or 'none').")
        var smsStatuses: String?
        @Option(name: .customLong("stalled-after-days"), help: "Days without a checkpoint before a shipment counts as stalled (1-60).")
        var stalledAfterDays: Int?
        @Option(name: .customLong("stalled-email"), help: "Email the shopper when a shipment stalls: on or off.") var stalledEmail: String?
        @Option(name: .customLong("eta-email"), help: "Email the shopper when the ETA changes: on or off.") var etaEmail: String?
        @Option(name: .customLong("subscribe-contacts"), help: "Subscribe the email and phone given with a new shipment: on or off.")
        var subscribeContacts: String?
        @Option(name: .customLong("self-subscription"), help: "Offer shoppers the \"get updates\" form on the tracking page: on or off.")
        var selfSubscription: String?
        @Option(name: .customLong("sender-name"), help: "The sender name shoppers see (empty: the merchant's name).") var senderName: String?
        @Option(name: .customLong("sender-email"), help: "The From address (empty: the server's WAYMARK_MAIL_FROM).") var senderEmail: String?
        @Option(name: .customLong("reply-to"), help: "Where shoppers' replies go (empty: none).") var replyTo: String?
        @Option(name: .customLong("sms-from"), help: "The SMS sender number or name (empty: the server's default).") var smsFrom: String?
        @Option(name: .customLong("quiet-hours"), help: "Local hours when texts wait, e.g. 21-8, or 'none'.") var quietHours: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            var overrides: NotificationRules.Overrides?
            if emailStatuses != nil || smsStatuses != nil || stalledEmail != nil || etaEmail != nil {
                let current = try await db.notificationSettings(tenantID: found.id).rules
                overrides = NotificationRules.Overrides(
                    email_statuses: try emailStatuses.map { try Self.statuses($0, option: "--email-statuses") } ?? current.emailStatuses.sorted(),
                    sms_statuses: try smsStatuses.map { try Self.statuses($0, option: "--sms-statuses") } ?? current.smsStatuses.sorted(),
                    email_when_stalled: try stalledEmail.map { try Self.onOff($0, option: "--stalled-email") } ?? current.emailWhenStalled,
                    email_when_eta_changes: try etaEmail.map { try Self.onOff($0, option: "--eta-email") } ?? current.emailWhenETAChanges)
            }
            if let stalledAfterDays, !(1...60).contains(stalledAfterDays) { throw CLIError("--stalled-after-days must be from 1 to 60") }
            if let senderEmail, !senderEmail.isEmpty {
                do { _ = try EmailAddress(senderEmail) } catch { throw CLIError("--sender-email: \(error.description)") }
            }
            if let replyTo, !replyTo.isEmpty {
                do { _ = try EmailAddress(replyTo) } catch { throw CLIError("--reply-to: \(error.description)") }
            }
            for (option, value) in [("--sender-name", senderName), ("--sms-from", smsFrom)] {
                if let value, value.count > 100 || value.contains(where: \.isNewline) {
                    throw CLIError("\(option) must be one line of at most 100 characters")
                }
            }
            try await db.updateNotificationSettings(
                tenantID: found.id, rules: overrides, stalledAfterDays: stalledAfterDays,
                subscribeContacts: try subscribeContacts.map { try Self.onOff($0, option: "--subscribe-contacts") },
                selfSubscription: try selfSubscription.map { try Self.onOff($0, option: "--self-subscription") },
                senderName: senderName, senderEmail: senderEmail, replyTo: replyTo, smsFrom: smsFrom,
                quietHours: try quietHours.map(Self.quietHours), now: Date())
            let settings = try await db.notificationSettings(tenantID: found.id)
            let rules = settings.rules
            print("""
                Tenant '\(found.slug)':
                  email on:           \(rules.emailStatuses.sorted().map(\.rawValue).joined(separator: ", "))
                  SMS on:             \(rules.smsStatuses.sorted().map(\.rawValue).joined(separator: ", "))
                  stalled after:      \(rules.stalledAfterDays) days (email \(rules.emailWhenStalled ? "on" : "off")); ETA change email \(rules.emailWhenETAChanges ? "on" : "off")
                  subscribe contacts: \(settings.subscribeContacts ? "on" : "off"); shoppers may subscribe on the page: \(settings.selfSubscription ? "on" : "off")
                  sender:             \(settings.senderName ?? found.name) <\(settings.senderEmail ?? "server default")>\(settings.replyTo.map { ", reply to \($0)" } ?? "")
                  SMS sender:         \(settings.smsFrom ?? "server default")
                  quiet hours:        \(settings.quietHoursStart == settings.quietHoursEnd ? "none" : "\(settings.quietHoursStart):00-\(settings.quietHoursEnd):00 \(found.timeZone)")
                """)
        }

        static func statuses(_ text: String, option: String) throws -> [DeliveryStatus] {
            if text == "none" { return [] }
            return try text.split(separator: ",").map { name in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let status = DeliveryStatus(rawValue: trimmed) else {
                    throw CLIError("\(option): '\(trimmed)' is not a status; use \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
        }

        static func onOff(_ text: String, option: String) throws -> Bool {
            switch text {
            case "on": return true
            case "off": return false
            default: throw CLIError("\(option) takes on or off, not '\(text)'")
            }
        }

        /// `21-8` → (21, 8); `none` → (0, 0).
        static func quietHours(_ text: String) throws -> (start: Int, end: Int) {
            if text == "none" { return (0, 0) }
            let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let start = parts[0], let end = parts[1], (0...23).contains(start), (0...23).contains(end) else {
                throw CLIError("--quiet-hours takes two hours from 0 to 23 like 21-8, or none; not '\(text)'")
            }
            return (start, end)
        }
    }
}
