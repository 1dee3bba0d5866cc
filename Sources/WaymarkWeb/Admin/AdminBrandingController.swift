import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkNotify

/// `/admin/settings/branding`: the logo (uploaded and checked by its bytes, or linked), colours
/// with their WCAG contrast and what the page will really use, a font from a safe list, custom
/// CSS under the template CSS rule, a dated announcement, support contacts and the link-preview
/// image. Every change is audited.
struct AdminBrandingController {
    let site: AdminSite
    let urlCheck: URLCheck

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminBranding, .get, mountedAt: .admin, use: show)
        router.on(.adminBranding, .post, mountedAt: .admin, use: update)
        router.on(.adminBrandingLogo, .post, mountedAt: .admin, use: uploadLogo)
    }

    static let maximumCSSBytes = 16 * 1024

    struct Page: Encodable {
        let action = SiteRoute.adminBranding.path()
        let logoAction = SiteRoute.adminBrandingLogo.path()
        let logoPreview: String?
        let hasUploadedLogo: Bool
        let logoURL: String
        let primaryColor: String
        let accentColor: String
        let colours: [Colour]
        let fonts: [AdminShipmentsController.Option]
        let customCSS: String
        let announcementText: String
        let announcementStarts: String
        let announcementEnds: String
        let supportEmail: String
        let supportURL: String
        let supportPhone: String
        let ogImageURL: String
        let errors: [String]
        let hasErrors: Bool

        /// A brand colour as chosen and as the page will draw it.
        struct Colour: Encodable {
            let label: String
            let chosen: String
            let used: String
            let ratio: String
            let passes: Bool
            let warning: String?
        }
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let notice = request.uri.queryParameters["saved"] != nil ? site.text("branding_saved", context) : nil
        return try await page(request, context: context, branding: try site.session(context).tenant.branding, notice: notice)
    }

    @Sendable func update(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        var branding = session.tenant.branding
        var errors: [String] = []
        func text(_ key: String, _ values: [String: String] = [:]) -> String { site.text(key, context, values) }

        for (field, keyPath) in [("primary_color", \Branding.primaryColor), ("accent_color", \Branding.accentColor)] {
            guard let colour = form[field].flatMap(HexColor.init) else {
                errors.append(text("branding_colour_invalid", ["field": text("branding_\(field)")]))
                continue
            }
            branding[keyPath: keyPath] = colour
        }
        if let font = form["font"].flatMap(BrandFont.init(rawValue:)) { branding.font = font } else { errors.append(text("branding_font_invalid")) }
        for (field, keyPath) in [("logo_url", \Branding.logoURL), ("support_url", \Branding.supportURL), ("og_image_url", \Branding.ogImageURL)] {
            guard let value = form[field] else { branding[keyPath: keyPath] = nil; continue }
            if let problem = urlCheck.merchantLinkProblem(value) {
                errors.append(text("branding_\(field)") + ": " + problem)
            } else {
                branding[keyPath: keyPath] = value
            }
        }
        if let email = form["support_email"] {
            do { branding.supportEmail = try EmailAddress(email).value } catch { errors.append(text("branding_support_email") + ": " + error.description) }
        } else {
            branding.supportEmail = nil
        }
        if let phone = form["support_phone"] {
            do { branding.supportPhone = try PhoneNumber(phone).value } catch { errors.append(text("branding_support_phone") + ": " + error.description) }
        } else {
            branding.supportPhone = nil
        }
        let css = form.raw("custom_css").map { $0.replacingOccurrences(of: "\r\n", with: "\n") } ?? ""
        if css.utf8.count > Self.maximumCSSBytes {
            errors.append(text("branding_css_too_big", ["size": String(css.utf8.count), "limit": String(Self.maximumCSSBytes)]))
        } else if css.lowercased().contains("</style") || css.contains("<") {
            errors.append(text("branding_custom_css") + ": " + text("branding_css_markup"))
        } else {
            errors += CSSCheck.problems(in: css).map { text("branding_custom_css") + ": " + $0 }
            branding.customCSS = css.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : css
        }
        if let announcement = form["announcement_text"] {
            let starts = form["announcement_starts"]
            let ends = form["announcement_ends"]
            if announcement.count > Announcement.maximumLength || announcement.contains(where: \.isNewline) {
                errors.append(text("branding_announcement_too_long", ["limit": String(Announcement.maximumLength)]))
            } else if [starts, ends].contains(where: { $0.map { RFC3339.parseDay($0) == nil } ?? false }) {
                errors.append(text("branding_announcement_dates"))
            } else if let starts, let ends, ends < starts {
                errors.append(text("branding_announcement_order"))
            } else {
                branding.announcement = Announcement(text: announcement, startsOn: starts, endsOn: ends)
            }
        } else {
            branding.announcement = nil
        }
        if form["remove_logo"] == "on" { branding.logoFile = nil }
        guard errors.isEmpty else {
            return try await page(request, context: context, branding: branding, errors: errors, status: .unprocessableContent)
        }
        try await site.database.updateBranding(tenantID: session.tenant.id, branding, now: site.now())
        let changes = Self.changes(from: session.tenant.branding, to: branding)
        if !changes.isEmpty { try await site.audit(context, "changed branding: " + changes.joined(separator: ", "), subject: "branding") }
        return AdminSite.seeOther(SiteRoute.adminBranding.path() + "?saved=1")
    }

    @Sendable func uploadLogo(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        guard let file = form.file("logo") else {
            return try await page(request, context: context, branding: session.tenant.branding, errors: [site.text("branding_logo_missing", context)],
                                  status: .unprocessableContent)
        }
        let image: LogoImage
        do {
            image = try LogoImage(checking: file.bytes)
        } catch {
            return try await page(request, context: context, branding: session.tenant.branding,
                                  errors: [site.text("branding_logo_refused", context, ["reason": error.description])], status: .unprocessableContent)
        }
        let digest = SHA256.hash(data: image.bytes).map { String(format: "%02x", $0) }.joined()
        let name = "\(digest.prefix(16)).\(image.fileExtension)"
        try await site.database.setLogo(tenantID: session.tenant.id, StoredLogo(file: name, contentType: image.contentType, bytes: image.bytes), now: site.now())
        try await site.audit(context, "uploaded a logo (\(image.contentType), \(image.bytes.count) bytes)", subject: "branding")
        return AdminSite.seeOther(SiteRoute.adminBranding.path() + "?saved=1")
    }

    private func page(
        _ request: Request, context: WaymarkRequestContext, branding: Branding, errors: [String] = [], status: HTTPResponse.Status = .ok,
        notice: String? = nil
    ) async throws -> Response {
        let session = try site.session(context)
        let palette = BrandPalette(branding)
        func colour(_ key: String, chosen: HexColor, used: HexColor) -> Page.Colour {
            let ratio = chosen.contrast(with: .white)
            let passes = ratio >= 4.5
            return Page.Colour(
                label: site.text(key, context), chosen: chosen.description, used: used.description, ratio: String(format: "%.1f:1", ratio), passes: passes,
                warning: passes ? nil : site.text("branding_contrast_warning", context, ["ratio": String(format: "%.1f:1", ratio), "used": used.description]))
        }
        let page = Page(
            logoPreview: branding.logoFile.map { SiteRoute.tenantLogo.shopperPath(prefix: "/\(session.tenant.slug)", $0) } ?? branding.logoURL,
            hasUploadedLogo: branding.logoFile != nil, logoURL: branding.logoURL ?? "",
            primaryColor: branding.primaryColor.description, accentColor: branding.accentColor.description,
            colours: [
                colour("branding_primary_color", chosen: branding.primaryColor, used: palette.brand),
                colour("branding_accent_color", chosen: branding.accentColor, used: palette.accent),
            ],
            fonts: BrandFont.allCases.map { .init(value: $0.rawValue, label: site.text("font_\($0.rawValue)", context), selected: $0 == branding.font) },
            customCSS: branding.customCSS ?? "", announcementText: branding.announcement?.text ?? "",
            announcementStarts: branding.announcement?.startsOn ?? "", announcementEnds: branding.announcement?.endsOn ?? "",
            supportEmail: branding.supportEmail ?? "", supportURL: branding.supportURL ?? "", supportPhone: branding.supportPhone ?? "",
            ogImageURL: branding.ogImageURL ?? "", errors: errors, hasErrors: !errors.isEmpty)
        return try await site.render("admin/branding", title: "branding_title", page, context: context, request: request, status: status, notice: notice)
    }

    /// Why `value` is not a link shoppers may be sent to, if it is not: https, a public host.
    /// The names of what changed, for the audit log.
    static func changes(from old: Branding, to new: Branding) -> [String] {
        var changed: [String] = []
        if old.primaryColor != new.primaryColor { changed.append("primary colour \(new.primaryColor)") }
        if old.accentColor != new.accentColor { changed.append("accent colour \(new.accentColor)") }
        if old.font != new.font { changed.append("font \(new.font.rawValue)") }
        if old.logoURL != new.logoURL || old.logoFile != new.logoFile { changed.append("logo") }
        if old.customCSS != new.customCSS { changed.append("custom CSS") }
        if old.announcement != new.announcement { changed.append("announcement") }
        if (old.supportEmail, old.supportURL, old.supportPhone) != (new.supportEmail, new.supportURL, new.supportPhone) { changed.append("support contacts") }
        if old.ogImageURL != new.ogImageURL { changed.append("link-preview image") }
        return changed
    }
}
