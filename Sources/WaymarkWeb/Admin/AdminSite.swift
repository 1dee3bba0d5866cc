import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// What every admin page shares: the storage, the renderer and catalog, the cookies, the clock,
/// and how a page is put in the admin layout.
struct AdminSite: Sendable {
    let database: any WaymarkStorage
    let renderer: PageRenderer
    let catalog: Catalog
    let cookies: AdminCookies
    let links: PublicLinks
    let lifetime: SessionLifetime
    let now: @Sendable () -> Date

    /// A page of the admin: `page` under `page`, the layout under `layout`, the strings under `t`.
    struct Document<Page: Encodable>: Encodable {
        let layout: AdminLayout
        let t: [String: String]
        let page: Page
    }

    func text(_ key: String, _ context: WaymarkRequestContext, _ values: [String: String] = [:]) -> String {
        catalog.text("admin.\(key)", context.adminLanguage, values)
    }

    /// The admin strings of the request's language, without their `admin.` prefix, for a view.
    func strings(_ language: String) -> [String: String] {
        adminStrings[language] ?? adminStrings["en"] ?? [:]
    }

    /// `strings(_:)` for each admin language, made once.
    private let adminStrings: [String: [String: String]]

    init(
        database: any WaymarkStorage, renderer: PageRenderer, catalog: Catalog, cookies: AdminCookies, links: PublicLinks,
        lifetime: SessionLifetime, now: @escaping @Sendable () -> Date
    ) {
        self.database = database
        self.renderer = renderer
        self.catalog = catalog
        self.cookies = cookies
        self.links = links
        self.lifetime = lifetime
        self.now = now
        var tables: [String: [String: String]] = [:]
        for language in AdminLanguage.supported {
            var table: [String: String] = [:]
            for (key, value) in catalog.table(language) where key.hasPrefix("admin.") {
                table[String(key.dropFirst("admin.".count))] = value
            }
            tables[language] = table
        }
        adminStrings = tables
    }

    /// Renders `template` with `page` inside the admin layout. `title` is a key of the admin strings.
    func render(
        _ template: String, title: String, _ page: some Encodable, context: WaymarkRequestContext, request: Request,
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> Response {
        var memberships: [TenantMembership] = []
        if let session = context.adminSession { memberships = try await database.memberships(userID: session.userID) }
        let layout = AdminLayout.make(
            title: text(title, context), context: context, memberships: memberships, path: request.uri.path, notice: notice, site: self)
        var response = try renderer.response(
            template, Document(layout: layout, t: strings(context.adminLanguage), page: page), status: status, cacheControl: "no-store")
        response.headers[HTTPField.Name.eTag] = nil
        return response
    }

    /// 303 to `path`: the answer to every successful form post, so a reload does not post again.
    static func seeOther(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    /// Records a change in the tenant's audit log, as the signed-in person.
    func audit(_ context: WaymarkRequestContext, _ action: String, subject: String? = nil) async throws {
        guard let session = context.adminSession else { return }
        try await database.recordAudit(
            AuditEvent(tenantID: session.tenant.id, actor: session.email, action: action, subject: subject, address: context.clientKey), now: now())
    }

    /// The signed-in person; the middleware has made sure there is one on every route that needs it.
    func session(_ context: WaymarkRequestContext) throws -> AdminSession {
        guard let session = context.adminSession else { throw HTTPError(.forbidden) }
        return session
    }

    /// The posted form; the middleware has read it and checked its CSRF field.
    func form(_ context: WaymarkRequestContext) throws -> AdminForm {
        guard let form = context.adminForm else { throw HTTPError(.forbidden) }
        return form
    }

    /// An id in the path, as a number; 404 when it is not one.
    static func numericID(_ context: WaymarkRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else { throw HTTPError(.notFound) }
        return id
    }
}

/// The settings pages' common start: "Settings" in the menu stands for all of them.
private let settingsPrefix = "/admin/settings/"

/// What the admin layout (`Views/layouts/admin.mustache`) shows: the navigation for the person's
/// role, the tenant switcher, the language menu and a notice.
struct AdminLayout: Encodable {
    let lang: String
    let title: String
    let email: String?
    let tenantName: String?
    let role: String?
    let csrf: String?
    let nav: [Link]
    let settingsNav: [Link]
    let hasSettingsNav: Bool
    let tenants: [TenantChoice]
    let hasTenantChoice: Bool
    let languages: [Link]
    let notice: String?
    let logoutURL = SiteRoute.adminLogout.path()
    let switchURL = SiteRoute.adminSwitchTenant.path()
    let sessionsURL = SiteRoute.adminSessions.path()

    struct Link: Encodable {
        let label: String
        let href: String
        let current: Bool
        var lang: String?
    }

    struct TenantChoice: Encodable {
        let id: Int64
        let name: String
        let current: Bool
    }

    static func make(
        title: String, context: WaymarkRequestContext, memberships: [TenantMembership], path: String, notice: String?, site: AdminSite
    ) -> AdminLayout {
        let session = context.adminSession
        let role = session?.role
        let items: [(SiteRoute, String)] = [
            (.admin, "nav_dashboard"), (.adminShipments, "nav_shipments"), (.adminTemplates, "nav_templates"),
            (.adminNotificationSettings, "nav_settings"), (.adminWebhooks, "nav_webhooks"), (.adminTeam, "nav_team"),
            (.adminAPIKeys, "nav_api_keys"), (.adminAudit, "nav_audit"),
        ]
        let inSettings = path.hasPrefix(settingsPrefix)
        func links(_ items: [(SiteRoute, String)]) -> [Link] {
            items.compactMap { route, key -> Link? in
                guard let role, let needed = route.adminRole, role.allows(needed), !(route == .admin && role == .agent) else { return nil }
                let href = route.path()
                let current = switch route {
                case .admin: path == href
                case .adminNotificationSettings where key == "nav_settings": inSettings
                default: path.hasPrefix(href)
                }
                return Link(label: site.text(key, context), href: href, current: current)
            }
        }
        let nav = links(items)
        // The settings' own pages, under "Settings".
        let settingsNav = inSettings ? links([
            (.adminNotificationSettings, "nav_notifications"), (.adminBranding, "nav_branding"), (.adminAfterDelivery, "nav_after_delivery"),
            (.adminProviders, "nav_providers"), (.adminDomain, "nav_domain"),
        ]) : []
        return AdminLayout(
            lang: context.adminLanguage, title: title, email: session?.email, tenantName: session?.tenant.name,
            role: role.map { site.text("role_\($0.rawValue)", context) }, csrf: session?.csrfToken, nav: nav, settingsNav: settingsNav,
            hasSettingsNav: !settingsNav.isEmpty,
            tenants: memberships.map { TenantChoice(id: $0.tenant.id, name: $0.tenant.name, current: $0.tenant.id == session?.tenant.id) },
            hasTenantChoice: memberships.count > 1,
            languages: AdminLanguage.supported.map { code in
                Link(label: site.catalog.table(code)["language_name"] ?? code, href: "\(path)?lang=\(code)", current: code == context.adminLanguage, lang: code)
            },
            notice: notice)
    }
}
