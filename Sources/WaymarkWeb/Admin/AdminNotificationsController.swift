import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `/admin/settings/notifications`: which status changes tell the shopper by email and by text,
/// the stalled and ETA-changed emails, who signs the messages, when texts wait, and whether
/// shoppers may sign up on the page. The same settings as `waymark tenant notifications`; each
/// change is written to the audit log, naming what changed.
struct AdminNotificationsController {
    let site: AdminSite

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminNotificationSettings, .get, mountedAt: .admin, use: show)
        router.on(.adminNotificationSettings, .post, mountedAt: .admin, use: update)
    }

    struct Page: Encodable {
        let action = SiteRoute.adminNotificationSettings.path()
        let rows: [Row]
        let stalledEmail: Bool
        let etaEmail: Bool
        let stalledAfterDays: Int
        let senderName: String
        let senderEmail: String
        let replyTo: String
        let smsFrom: String
        let quietHours: Bool
        let quietStart: [AdminShipmentsController.Option]
        let quietEnd: [AdminShipmentsController.Option]
        let timeZone: String
        let subscribeContacts: Bool
        let selfSubscription: Bool
        let merchantName: String
        let errors: [String]
        let hasErrors: Bool

        struct Row: Encodable {
            let status: String
            let label: String
            let email: Bool
            let sms: Bool
        }
    }

    /// What the form asks for, read and checked; `errors` says what to fix.
    struct Choice {
        var emailStatuses: [DeliveryStatus] = []
        var smsStatuses: [DeliveryStatus] = []
        var stalledEmail = false
        var etaEmail = false
        var stalledAfterDays = 3
        var senderName = ""
        var senderEmail = ""
        var replyTo = ""
        var smsFrom = ""
        var quietHours = (start: 0, end: 0)
        var subscribeContacts = false
        var selfSubscription = false
        var errors: [String] = []

        init(_ form: AdminForm, text: (String) -> String) {
            emailStatuses = DeliveryStatus.allCases.filter { form["email_\($0.rawValue)"] == "on" }
            smsStatuses = DeliveryStatus.allCases.filter { form["sms_\($0.rawValue)"] == "on" }
            stalledEmail = form["email_stalled"] == "on"
            etaEmail = form["email_eta_changed"] == "on"
            subscribeContacts = form["subscribe_contacts"] == "on"
            selfSubscription = form["self_subscription"] == "on"
            if let days = form["stalled_after_days"].flatMap(Int.init), (1...60).contains(days) {
                stalledAfterDays = days
            } else {
                errors.append(text("settings_stalled_days_invalid"))
            }
            senderName = form["sender_name"] ?? ""
            smsFrom = form["sms_from"] ?? ""
            for (field, value) in [("sender_name", senderName), ("sms_from", smsFrom)] where value.count > 100 {
                errors.append(text("settings_\(field)_too_long"))
            }
            senderEmail = form["sender_email"] ?? ""
            replyTo = form["reply_to"] ?? ""
            for (field, value) in [("sender_email", senderEmail), ("reply_to", replyTo)] where !value.isEmpty {
                do { _ = try EmailAddress(value) } catch { errors.append(text("settings_\(field)") + ": " + error.description) }
            }
            if form["quiet_hours"] == "on" {
                guard let start = form["quiet_start"].flatMap(Int.init), let end = form["quiet_end"].flatMap(Int.init),
                    (0...23).contains(start), (0...23).contains(end), start != end
                else {
                    errors.append(text("settings_quiet_hours_invalid"))
                    return
                }
                quietHours = (start, end)
            }
        }
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let settings = try await site.database.notificationSettings(tenantID: session.tenant.id)
        let notice = request.uri.queryParameters["saved"] != nil ? site.text("settings_saved", context) : nil
        return try await page(request, context: context, settings: settings, notice: notice)
    }

    @Sendable func update(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        let before = try await site.database.notificationSettings(tenantID: session.tenant.id)
        let choice = Choice(form) { site.text($0, context) }
        guard choice.errors.isEmpty else {
            return try await page(request, context: context, settings: before, errors: choice.errors, status: .unprocessableContent)
        }
        // Substatus rules have no place on this page yet: they stay as they are.
        let overrides = NotificationRules.Overrides(
            email_statuses: choice.emailStatuses, sms_statuses: choice.smsStatuses,
            substatus_channels: Dictionary(uniqueKeysWithValues: before.rules.substatusChannels.map { ($0.key.description, $0.value.sorted { $0.rawValue < $1.rawValue }) }),
            email_when_stalled: choice.stalledEmail, email_when_eta_changes: choice.etaEmail)
        try await site.database.updateNotificationSettings(
            tenantID: session.tenant.id, rules: overrides, stalledAfterDays: choice.stalledAfterDays, subscribeContacts: choice.subscribeContacts,
            selfSubscription: choice.selfSubscription, senderName: choice.senderName, senderEmail: choice.senderEmail, replyTo: choice.replyTo,
            smsFrom: choice.smsFrom, quietHours: choice.quietHours, now: site.now())
        let after = try await site.database.notificationSettings(tenantID: session.tenant.id)
        let changes = Self.changes(from: before, to: after)
        if !changes.isEmpty {
            try await site.audit(context, "changed notification settings: " + changes.joined(separator: "; "), subject: "notification settings")
        }
        return AdminSite.seeOther(SiteRoute.adminNotificationSettings.path() + "?saved=1")
    }

    private func page(
        _ request: Request, context: WaymarkRequestContext, settings: NotificationSettings, errors: [String] = [],
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> Response {
        let session = try site.session(context)
        let rules = settings.rules
        let quiet = settings.quietHoursStart != settings.quietHoursEnd
        func hours(_ selected: Int) -> [AdminShipmentsController.Option] {
            (0...23).map { .init(value: String($0), label: String(format: "%02d:00", $0), selected: $0 == selected) }
        }
        let page = Page(
            rows: DeliveryStatus.allCases.map { status in
                Page.Row(
                    status: status.rawValue, label: site.catalog.text("status_\(status.rawValue)", context.adminLanguage),
                    email: rules.emailStatuses.contains(status), sms: rules.smsStatuses.contains(status))
            },
            stalledEmail: rules.emailWhenStalled, etaEmail: rules.emailWhenETAChanges, stalledAfterDays: rules.stalledAfterDays,
            senderName: settings.senderName ?? "", senderEmail: settings.senderEmail ?? "", replyTo: settings.replyTo ?? "", smsFrom: settings.smsFrom ?? "",
            quietHours: quiet, quietStart: hours(quiet ? settings.quietHoursStart : 21), quietEnd: hours(quiet ? settings.quietHoursEnd : 8),
            timeZone: session.tenant.timeZone, subscribeContacts: settings.subscribeContacts, selfSubscription: settings.selfSubscription,
            merchantName: session.tenant.name, errors: errors, hasErrors: !errors.isEmpty)
        return try await site.render("admin/notifications", title: "settings_notifications_title", page, context: context, request: request,
                                     status: status, notice: notice)
    }

    /// What differs between two settings, in short phrases for the audit log.
    static func changes(from old: NotificationSettings, to new: NotificationSettings) -> [String] {
        var changes: [String] = []
        func statuses(_ name: String, _ a: Set<DeliveryStatus>, _ b: Set<DeliveryStatus>) {
            let added = b.subtracting(a).sorted().map { "+" + $0.rawValue }
            let removed = a.subtracting(b).sorted().map { "-" + $0.rawValue }
            if !(added + removed).isEmpty { changes.append("\(name) " + (added + removed).joined(separator: " ")) }
        }
        statuses("email on", old.rules.emailStatuses, new.rules.emailStatuses)
        statuses("SMS on", old.rules.smsStatuses, new.rules.smsStatuses)
        func flag(_ name: String, _ a: Bool, _ b: Bool) { if a != b { changes.append("\(name) \(b ? "on" : "off")") } }
        flag("stalled email", old.rules.emailWhenStalled, new.rules.emailWhenStalled)
        flag("ETA-changed email", old.rules.emailWhenETAChanges, new.rules.emailWhenETAChanges)
        flag("subscribe contacts", old.subscribeContacts, new.subscribeContacts)
        flag("sign-up on the page", old.selfSubscription, new.selfSubscription)
        if old.rules.stalledAfterDays != new.rules.stalledAfterDays { changes.append("stalled after \(new.rules.stalledAfterDays) days") }
        for (name, a, b) in [("sender name", old.senderName, new.senderName), ("sender email", old.senderEmail, new.senderEmail),
                             ("reply-to", old.replyTo, new.replyTo), ("SMS sender", old.smsFrom, new.smsFrom)] where a != b {
            changes.append("\(name) \(b ?? "default")")
        }
        if (old.quietHoursStart, old.quietHoursEnd) != (new.quietHoursStart, new.quietHoursEnd) {
            changes.append(new.quietHoursStart == new.quietHoursEnd ? "no quiet hours" : "quiet hours \(new.quietHoursStart)-\(new.quietHoursEnd)")
        }
        return changes
    }
}
