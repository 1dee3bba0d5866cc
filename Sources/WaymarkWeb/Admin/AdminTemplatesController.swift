import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The template editor: every shopper email and text per trigger and language, and the tracking
/// page's sections, each with a preview of the sample shipment in any status, a test send to
/// yourself, its history (who, when, a line diff of any two versions, restore) and a reset to
/// Waymark's default. Every save passes `TemplateSamples.problems`, as the CLI's does.
struct AdminTemplatesController {
    let site: AdminSite
    let samples: TemplateSamples
    let mailer: AccountMailer
    /// Where Waymark's own templates are: the starting text of one not yet changed.
    let viewsPath: String
    let drafts: PreviewDrafts

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminTemplates, .get, mountedAt: .admin, use: list)
        router.on(.adminTemplate, .get, mountedAt: .admin, use: editor)
        router.on(.adminTemplate, .post, mountedAt: .admin, use: submit)
        router.on(.adminTemplatePreview, .get, mountedAt: .admin, use: preview)
        router.on(.adminTemplateRestore, .post, mountedAt: .admin, use: restore)
    }

    // MARK: The list

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let language = request.uri.queryParameters["locale"].flatMap { ShopperLanguage.match(String($0)) }
            ?? ShopperLanguage.match(session.tenant.defaultLocale) ?? "en"
        let messages = Set(try await site.database.messageTemplates(tenantID: session.tenant.id).map(\.slot))
        let sections = try await site.database.pageSectionSlots(tenantID: session.tenant.id)
        let page = AdminTemplateViews.ListPage.make(
            language: language, customized: messages.union(sections.keys), labels: labels(context))
        return try await site.render("admin/templates", title: "templates_title", page, context: context, request: request)
    }

    // MARK: The editor

    @Sendable func editor(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let slot = try Self.slot(context)
        let query = request.uri.queryParameters
        var shown = try await saved(slot, session: session) ?? defaultCandidate(slot)
        var draftID: String?
        if let id = query["draft"].map(String.init), let draft = drafts.draft(id, session: session, slot: slot, now: site.now()) {
            shown = draft
            draftID = id
        }
        let notice = query["saved"] != nil ? site.text("template_saved", context) : query["restored"] != nil ? site.text("template_restored", context) : nil
        return try await editorPage(
            request, context: context, slot: slot, shown: shown, draftID: draftID, status: Self.previewStatus(query["status"].map(String.init), slot),
            diff: (query["from"].flatMap { Int64(String($0)) }, query["to"].flatMap { Int64(String($0)) }), notice: notice)
    }

    /// Save, preview or test-send what the form holds.
    @Sendable func submit(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let slot = try Self.slot(context)
        let form = try site.form(context)
        let candidate = TemplateCandidate(
            slot: slot, subject: form["subject"].map(Self.lines), body: form.raw("body").map(Self.lines) ?? "", textBody: form["text"].map(Self.lines))
        let now = site.now()
        let problems = samples.problems(in: candidate, tenant: session.tenant, now: now)
        let status = Self.previewStatus(form["status"], slot)
        guard problems.isEmpty else {
            return try await editorPage(request, context: context, slot: slot, shown: candidate, draftID: nil, status: status, problems: problems,
                                        httpStatus: .unprocessableContent)
        }
        switch form["action"] {
        case "save":
            try await store(candidate, session: session, now: now)
            try await site.audit(context, "saved template \(slot)", subject: "template \(slot)")
            return AdminSite.seeOther(SiteRoute.adminTemplate.path(Self.segments(slot)) + "?saved=1")
        case "test":
            guard case .message(.email, let name) = slot.part else { throw HTTPError(.badRequest, message: "Only emails can be sent as a test.") }
            let claimed = try samples.claimed(message: name, channel: .email, language: slot.locale, tenant: session.tenant, now: now)
            let email = try samples.composer.email(for: claimed, using: candidate.messageTemplate(tenantID: session.tenant.id, now: now))
            let sent = await mailer.sendTest(email, to: session.email)
            let draftID = drafts.keep(candidate, session: session, now: now)
            let notice = site.text(sent ? "template_test_sent" : "template_test_failed", context, ["email": session.email])
            return try await editorPage(request, context: context, slot: slot, shown: candidate, draftID: draftID, status: status, notice: notice)
        default:
            let draftID = drafts.keep(candidate, session: session, now: now)
            return try await editorPage(request, context: context, slot: slot, shown: candidate, draftID: draftID, status: status)
        }
    }

    /// Puts back an earlier version (checked again: the rules may have grown since) or the default.
    @Sendable func restore(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let slot = try Self.slot(context)
        let form = try site.form(context)
        let now = site.now()
        let version: TemplateVersion?
        if form["version"] == "default" {
            version = nil
        } else {
            guard let id = form["version"].flatMap(Int64.init),
                let found = try await site.database.templateVersion(tenantID: session.tenant.id, id: id), found.slot == slot
            else { throw HTTPError(.notFound) }
            version = found
        }
        if let version, let body = version.body {
            let candidate = TemplateCandidate(slot: slot, subject: version.subject, body: body, textBody: version.textBody)
            let problems = samples.problems(in: candidate, tenant: session.tenant, now: now)
            guard problems.isEmpty else {
                return try await editorPage(request, context: context, slot: slot, shown: candidate, draftID: nil, status: Self.previewStatus(nil, slot),
                                            problems: problems, httpStatus: .unprocessableContent)
            }
            try await store(candidate, session: session, now: now)
            try await site.audit(context, "restored template \(slot) to the version of \(AdminDate.format(version.createdAt))", subject: "template \(slot)")
        } else {
            switch slot.part {
            case .message(let channel, let name):
                try await site.database.deleteMessageTemplate(
                    tenantID: session.tenant.id, channel: channel, name: name, locale: slot.locale, author: session.email, now: now)
            case .page(let section):
                try await site.database.deletePageSection(tenantID: session.tenant.id, section: section, locale: slot.locale, author: session.email, now: now)
            }
            try await site.audit(context, "reset template \(slot) to Waymark's default", subject: "template \(slot)")
        }
        return AdminSite.seeOther(SiteRoute.adminTemplate.path(Self.segments(slot)) + "?restored=1")
    }

    // MARK: The preview frame

    /// The sample shipment's email, text or tracking page, as a document of its own for the
    /// editor's sandboxed frame: its policy forbids every script, form and plug-in.
    @Sendable func preview(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let slot = try Self.slot(context)
        let query = request.uri.queryParameters
        let now = site.now()
        let draft = query["draft"].flatMap { drafts.draft(String($0), session: session, slot: slot, now: now) }
        var candidate = draft
        if candidate == nil { candidate = try await saved(slot, session: session) }
        let status = Self.previewStatus(query["status"].map(String.init), slot)
        let html: String
        switch slot.part {
        case .message(let channel, let name):
            let claimed = try samples.claimed(message: name, channel: channel, language: slot.locale, tenant: session.tenant, now: now)
            let template = candidate?.messageTemplate(tenantID: session.tenant.id, now: now)
            html = channel == .sms
                ? AdminTemplateViews.smsDocument(try samples.composer.sms(for: claimed, using: template), language: slot.locale)
                : try samples.composer.email(for: claimed, using: template).html
        case .page(let section):
            let tracked = TemplateSamples.shipment(status: status, language: slot.locale, tenant: session.tenant, now: now)
            let prefix = "/\(session.tenant.slug)"
            var view = TrackingPageView.make(
                tenant: session.tenant, tracked: tracked, language: slot.locale, catalog: site.catalog, prefix: prefix, showOrder: true, now: now)
            var own = try await site.database.pageSections(tenantID: session.tenant.id, locale: slot.locale)
            own[section] = candidate?.body
            let sectionView = samples.sections.view(page: view, tenant: session.tenant, tracked: tracked, language: slot.locale, prefix: prefix)
            view.apply(samples.sections.render(own, view: sectionView))
            html = try site.renderer.html("shopper/tracking", view)
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        headers[.contentSecurityPolicy] = Self.previewPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// No script, form or plug-in; styles inline (emails are styled that way) and from here;
    /// images from here, https and data:; framed by the admin only.
    static let previewPolicy = [
        "sandbox", "default-src 'none'", "style-src 'self' 'unsafe-inline'", "img-src 'self' https: data:", "form-action 'none'",
        "base-uri 'none'", "object-src 'none'", "frame-ancestors 'self'",
    ].joined(separator: "; ")

    // MARK: Pieces

    private func editorPage(
        _ request: Request, context: WaymarkRequestContext, slot: TemplateSlot, shown: TemplateCandidate, draftID: String?, status: DeliveryStatus,
        problems: [TemplateProblem] = [], diff: (from: Int64?, to: Int64?) = (nil, nil), httpStatus: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> Response {
        let session = try site.session(context)
        let versions = try await site.database.templateVersions(tenantID: session.tenant.id, slot: slot, limit: 50)
        let customized = try await saved(slot, session: session) != nil
        var compared: (TemplateVersion, TemplateVersion)?
        if let from = diff.from, let to = diff.to,
            let old = try await site.database.templateVersion(tenantID: session.tenant.id, id: from),
            let new = try await site.database.templateVersion(tenantID: session.tenant.id, id: to), old.slot == slot, new.slot == slot
        {
            compared = (old, new)
        }
        var preview: AdminTemplateViews.Preview?
        if problems.isEmpty {
            var frame = SiteRoute.adminTemplatePreview.path(Self.segments(slot)) + "?status=\(status.rawValue)"
            if let draftID { frame += "&draft=\(draftID)" }
            preview = try previewFacts(slot, shown: shown, session: session, frameURL: frame)
        }
        let page = AdminTemplateViews.EditorPage.make(
            slot: slot, shown: shown, customized: customized, versions: versions, problems: problems, preview: preview, status: status,
            draftID: draftID, compared: compared, labels: labels(context), catalog: site.catalog, adminLanguage: context.adminLanguage)
        return try await site.render("admin/template", title: "template_title", page, context: context, request: request, status: httpStatus, notice: notice)
    }

    /// What the editor says beside the frame: an email's subject and text part, a text's length.
    private func previewFacts(_ slot: TemplateSlot, shown: TemplateCandidate, session: AdminSession, frameURL: String) throws -> AdminTemplateViews.Preview {
        guard case .message(let channel, let name) = slot.part else { return AdminTemplateViews.Preview(frameURL: frameURL) }
        let now = site.now()
        let claimed = try samples.claimed(message: name, channel: channel, language: slot.locale, tenant: session.tenant, now: now)
        let template = shown.messageTemplate(tenantID: session.tenant.id, now: now)
        if channel == .sms {
            let text = try samples.composer.sms(for: claimed, using: template)
            return AdminTemplateViews.Preview(frameURL: frameURL, sms: .init(text: text, segments: SMSSegments(text)))
        }
        let email = try samples.composer.email(for: claimed, using: template)
        return AdminTemplateViews.Preview(frameURL: frameURL, subject: email.subject, text: email.text)
    }

    private func store(_ candidate: TemplateCandidate, session: AdminSession, now: Date) async throws {
        switch candidate.slot.part {
        case .message:
            guard let template = candidate.messageTemplate(tenantID: session.tenant.id, now: now) else { return }
            try await site.database.setMessageTemplate(template, author: session.email)
        case .page(let section):
            try await site.database.setPageSection(
                tenantID: session.tenant.id, section: section, locale: candidate.slot.locale, body: candidate.body, author: session.email, now: now)
        }
    }

    /// The tenant's saved template for `slot`, if it changed it.
    private func saved(_ slot: TemplateSlot, session: AdminSession) async throws -> TemplateCandidate? {
        switch slot.part {
        case .message(let channel, let name):
            try await site.database.messageTemplate(tenantID: session.tenant.id, channel: channel, name: name, locale: slot.locale).map {
                TemplateCandidate(slot: slot, subject: $0.subject, body: $0.body, textBody: $0.textBody)
            }
        case .page(let section):
            try await site.database.pageSections(tenantID: session.tenant.id, locale: slot.locale)[section].map { TemplateCandidate(slot: slot, body: $0) }
        }
    }

    /// Waymark's own text for `slot`, as a merchant may start from it.
    func defaultCandidate(_ slot: TemplateSlot) -> TemplateCandidate {
        let file = switch slot.part {
        case .message(.sms, let name): "sms/\(name)"
        case .message(_, let name): "emails/\(name)"
        case .page(let section): "sections/\(section.rawValue)"
        }
        let text = (try? String(contentsOfFile: "\(viewsPath)/\(file).mustache", encoding: .utf8)) ?? ""
        // Waymark's own texts switch off HTML escaping with a pragma; a merchant's get that from the composer.
        let body = text.hasPrefix(TemplateMessageComposer.plainText) ? String(text.dropFirst(TemplateMessageComposer.plainText.count)) : text
        return TemplateCandidate(slot: slot, body: body)
    }

    private func labels(_ context: WaymarkRequestContext) -> AdminTemplateViews.Labels {
        AdminTemplateViews.Labels(site: site, context: context)
    }

    /// The slot named by the path; 404 for anything else.
    static func slot(_ context: WaymarkRequestContext) throws -> TemplateSlot {
        guard let kind = context.parameters.get("kind"), let name = context.parameters.get("name"), let locale = context.parameters.get("locale"),
            ShopperLanguage.supported.contains(locale), let slot = TemplateSlot(parsing: "\(kind)/\(name)/\(locale)")
        else { throw HTTPError(.notFound) }
        if case .message(_, let name) = slot.part, !TemplateMessageComposer.templateNames.contains(name) { throw HTTPError(.notFound) }
        return slot
    }

    /// The path's three values for `slot`.
    static func segments(_ slot: TemplateSlot) -> [String] {
        slot.description.split(separator: "/").map(String.init)
    }

    /// The status the preview shows: the one asked for, else the message's own, else in transit.
    static func previewStatus(_ asked: String?, _ slot: TemplateSlot) -> DeliveryStatus {
        if let asked, let status = DeliveryStatus(rawValue: asked) { return status }
        if case .page(.afterDelivery) = slot.part { return .delivered }
        if case .message(_, let name) = slot.part, let status = DeliveryStatus(rawValue: name) { return status }
        return .inTransit
    }

    /// Text as typed, with the browser's CRLF line ends made LF.
    static func lines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
