import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// Who and what can get in: API keys, the audit log, the person's own sessions, and switching
/// between the tenants the person belongs to.
struct AdminAccessController {
    let site: AdminSite

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminAPIKeys, .get, mountedAt: .admin, use: keys)
        router.on(.adminAPIKeys, .post, mountedAt: .admin, use: createKey)
        router.on(.adminAPIKeyRevoke, .post, mountedAt: .admin, use: revokeKey)
        router.on(.adminAudit, .get, mountedAt: .admin, use: audit)
        router.on(.adminSessions, .get, mountedAt: .admin, use: sessions)
        router.on(.adminSessionEnd, .post, mountedAt: .admin, use: endSession)
        router.on(.adminSwitchTenant, .post, mountedAt: .admin, use: switchTenant)
    }

    // MARK: API keys

    struct KeyRow: Encodable {
        let name: String
        let prefix: String
        let scope: String
        let created: String
        let lastUsed: String?
        let revoked: String?
        let revokeURL: String
    }

    struct KeysPage: Encodable {
        let keys: [KeyRow]
        let scopes: [AdminShipmentsController.Option]
        let action = SiteRoute.adminAPIKeys.path()
        let error: String?
        /// A key just made: shown this once.
        let newKey: String?
    }

    func keysPage(_ request: Request, context: WaymarkRequestContext, status: HTTPResponse.Status = .ok, error: String? = nil, newKey: String? = nil) async throws -> Response {
        let session = try site.session(context)
        let keys = try await site.database.apiKeys(tenantID: session.tenant.id)
        let page = KeysPage(
            keys: keys.map { key in
                KeyRow(
                    name: key.name, prefix: key.prefix + "…", scope: site.text("scope_\(key.scope.rawValue)", context), created: AdminDate.format(key.createdAt),
                    lastUsed: key.lastUsedAt.map(AdminDate.format), revoked: key.revokedAt.map(AdminDate.format),
                    revokeURL: SiteRoute.adminAPIKeyRevoke.path(String(key.id)))
            },
            scopes: APIKeyScope.allCases.map { .init(value: $0.rawValue, label: site.text("scope_\($0.rawValue)", context), selected: $0 == .readOnly) },
            error: error, newKey: newKey)
        return try await site.render("admin/api-keys", title: "api_keys_title", page, context: context, request: request, status: status)
    }

    @Sendable func keys(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await keysPage(request, context: context)
    }

    @Sendable func createKey(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        guard let name = form["name"], name.count <= 100 else {
            return try await keysPage(request, context: context, status: .unprocessableContent, error: site.text("key_name_missing", context))
        }
        guard let scope = form["scope"].flatMap(APIKeyScope.init(rawValue:)) else {
            return try await keysPage(request, context: context, status: .unprocessableContent, error: site.text("key_scope_missing", context))
        }
        let (key, secret) = try await site.database.createAPIKey(tenantID: session.tenant.id, name: name, scope: scope, now: site.now())
        try await site.audit(context, "created API key \(key.name) (\(key.prefix)…, \(scope.rawValue))", subject: "api key \(key.id)")
        return try await keysPage(request, context: context, newKey: secret)
    }

    @Sendable func revokeKey(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let id = try AdminSite.numericID(context)
        guard try await site.database.revokeAPIKey(tenantID: session.tenant.id, id: id, now: site.now()) else { throw HTTPError(.notFound) }
        try await site.audit(context, "revoked API key", subject: "api key \(id)")
        return AdminSite.seeOther(SiteRoute.adminAPIKeys.path())
    }

    // MARK: Audit log

    struct AuditRow: Encodable {
        let time: String
        let actor: String
        let action: String
        let subject: String?
        let address: String?
    }

    struct AuditPage: Encodable {
        let entries: [AuditRow]
        let hasEntries: Bool
        let nextURL: String?
    }

    @Sendable func audit(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let before = request.uri.queryParameters["before"].flatMap { Int64(String($0)) }
        let limit = 50
        let entries = try await site.database.auditEntries(tenantID: session.tenant.id, before: before, limit: limit + 1)
        let shown = entries.prefix(limit)
        let page = AuditPage(
            entries: shown.map { AuditRow(time: AdminDate.format($0.createdAt), actor: $0.actor, action: $0.action, subject: $0.subject, address: $0.address) },
            hasEntries: !shown.isEmpty,
            nextURL: entries.count > limit ? shown.last.map { SiteRoute.adminAudit.path() + "?before=\($0.id)" } : nil)
        return try await site.render("admin/audit", title: "audit_title", page, context: context, request: request)
    }

    // MARK: Sessions

    struct SessionRow: Encodable {
        let started: String
        let lastSeen: String
        let address: String?
        let browser: String?
        let current: Bool
        let endURL: String
    }

    struct SessionsPage: Encodable {
        let sessions: [SessionRow]
    }

    @Sendable func sessions(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let list = try await site.database.sessions(userID: session.userID, lifetime: site.lifetime, now: site.now())
        let page = SessionsPage(sessions: list.map { summary in
            SessionRow(
                started: AdminDate.format(summary.createdAt), lastSeen: AdminDate.format(summary.lastSeenAt), address: summary.address,
                browser: summary.userAgent, current: summary.id == session.id, endURL: SiteRoute.adminSessionEnd.path(String(summary.id)))
        })
        return try await site.render("admin/sessions", title: "sessions_title", page, context: context, request: request)
    }

    @Sendable func endSession(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let id = try AdminSite.numericID(context)
        guard try await site.database.endSession(userID: session.userID, sessionID: id, now: site.now()) else { throw HTTPError(.notFound) }
        try await site.audit(context, "ended a session", subject: "session \(id)")
        guard id == session.id else { return AdminSite.seeOther(SiteRoute.adminSessions.path()) }
        var response = AdminSite.seeOther(SiteRoute.adminLogin.path())
        response.setCookie(site.cookies.expired(site.cookies.session))
        return response
    }

    // MARK: Tenants

    @Sendable func switchTenant(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        guard let tenantID = try site.form(context)["tenant"].flatMap(Int64.init),
              let switched = try await site.database.switchTenant(sessionID: session.id, userID: session.userID, tenantID: tenantID)
        else { throw HTTPError(.forbidden) }
        return AdminSite.seeOther(switched.role == .agent ? SiteRoute.adminShipments.path() : SiteRoute.admin.path())
    }
}
