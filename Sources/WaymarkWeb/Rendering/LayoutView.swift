import Foundation
import WaymarkCore

/// What the shared page layout (`Views/layouts/shopper.mustache`) shows: head tags, the
/// merchant's header, the language menu and the footer.
struct LayoutView: Encodable {
    let lang: String
    let title: String
    let description: String
    let merchantName: String?
    let logoURL: String?
    let homeURL: String?
    let themeURL: String?
    let languages: [LanguageLink]
    let hasLanguages: Bool
    let supportURL: String?
    let supportLabel: String?
    /// The merchant's own header, banner and footer, where it replaced Waymark's (tracking page).
    var sections: RenderedSections? = nil
    var supportPhone: String? = nil
    /// The absolute image for link previews.
    var ogImageURL: String? = nil
    /// The merchant's dated announcement, when one runs today.
    var announcement: String? = nil

    struct LanguageLink: Encodable {
        let code: String
        let name: String
        let href: String
        let current: Bool
    }

    /// The layout for one of a tenant's pages. `path` is the page's own path, for the language menu.
    static func branded(
        tenant: Tenant, language: String, title: String, description: String, prefix: String, path: String, catalog: Catalog
    ) -> LayoutView {
        let support = tenant.branding.supportLink
        return LayoutView(
            lang: language, title: title, description: description, merchantName: tenant.name,
            logoURL: tenant.branding.logoFile.map { SiteRoute.tenantLogo.shopperPath(prefix: prefix, $0) } ?? tenant.branding.logoURL, homeURL: SiteRoute.lookupPage.shopperPath(prefix: prefix), themeURL: SiteRoute.theme.shopperPath(prefix: prefix),
            languages: languageLinks(current: language, path: path, catalog: catalog),
            hasLanguages: true,
            supportURL: support,
            supportLabel: support == nil ? nil : catalog.text("contact_support", language, ["merchant": tenant.name]),
            supportPhone: tenant.branding.supportPhone,
            // An uploaded logo's absolute URL needs the public origin: the controller sets it.
            ogImageURL: tenant.branding.ogImageURL ?? tenant.branding.logoURL.flatMap { $0.hasPrefix("https://") ? $0 : nil })
    }

    /// The layout for pages outside any tenant (unknown tenant, server errors).
    static func plain(title: String, language: String) -> LayoutView {
        LayoutView(
            lang: language, title: title, description: title, merchantName: nil, logoURL: nil, homeURL: nil, themeURL: nil,
            languages: [], hasLanguages: false, supportURL: nil, supportLabel: nil)
    }

    static func languageLinks(current: String, path: String, catalog: Catalog) -> [LanguageLink] {
        ShopperLanguage.supported.map { code in
            LanguageLink(code: code, name: catalog.table(code)["language_name"] ?? code, href: "\(path)?lang=\(code)", current: code == current)
        }
    }
}
