import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// Signing in and out, forgotten passwords, and accepting an invitation.
///
/// A wrong password and an unknown address get the same answer after the same work (a bcrypt
/// check either way). Attempts are limited per address and account pair and per client address
/// (token buckets refilling each minute), never per account alone: someone guessing from
/// elsewhere cannot lock the real owner out, and anyone is back in within a minute of stopping.
struct AdminAuthController {
    let site: AdminSite
    let mailer: AccountMailer
    /// Sign-in attempts per account and client address.
    let accountThrottle: RateLimiter
    /// Sign-in and reset attempts per client address.
    let clientThrottle: RateLimiter

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminLogin, .get, mountedAt: .admin, use: loginPage)
        router.on(.adminLogin, .post, mountedAt: .admin, use: login)
        router.on(.adminLogout, .post, mountedAt: .admin, use: logout)
        router.on(.adminPasswordForgot, .get, mountedAt: .admin, use: forgotPage)
        router.on(.adminPasswordForgot, .post, mountedAt: .admin, use: forgot)
        router.on(.adminPasswordReset, .get, mountedAt: .admin, use: resetPage)
        router.on(.adminPasswordReset, .post, mountedAt: .admin, use: reset)
        router.on(.adminInvitation, .get, mountedAt: .admin, use: invitationPage)
        router.on(.adminInvitation, .post, mountedAt: .admin, use: acceptInvitation)
    }

    struct FormPage: Encodable {
        var csrf: String
        var action: String
        var email = ""
        var error: String?
        var next: String?
        var forgotURL = SiteRoute.adminPasswordForgot.path()
        var loginURL = SiteRoute.adminLogin.path()
        /// Invitation: the tenant and whether a password must be chosen.
        var tenantName: String?
        var needsPassword = false
        var live = true
        var minimumLength = Passwords.minimumLength
    }

    /// A page with a form used before signing in: its CSRF token is the pre-session cookie's
    /// value, set now when the browser has none.
    func preSessionForm(
        _ template: String, title: String, _ page: (String) -> FormPage, request: Request, context: WaymarkRequestContext,
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> Response {
        let existing = request.cookies[site.cookies.preSession].map(\.value).flatMap { AdminSecret.isWellFormed($0) ? $0 : nil }
        let token = existing ?? AdminSecret.make()
        var response = try await site.render(template, title: title, page(token), context: context, request: request, status: status, notice: notice)
        if existing == nil { response.setCookie(site.cookies.cookie(site.cookies.preSession, token)) }
        return response
    }

    @Sendable func loginPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let notice = request.uri.queryParameters["done"].map { done in
            site.text(done == "reset" ? "notice_password_reset" : "notice_invitation_accepted", context)
        }
        return try await preSessionForm("admin/login", title: "login_title", { csrf in
            FormPage(csrf: csrf, action: SiteRoute.adminLogin.path(), next: Self.safeNext(request.uri.queryParameters["next"].map(String.init)))
        }, request: request, context: context, notice: notice)
    }

    @Sendable func login(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let form = try site.form(context)
        let email = form["email"]?.lowercased() ?? ""
        let password = form.raw("password") ?? ""
        let next = Self.safeNext(form["next"])
        func refuse(_ key: String, status: HTTPResponse.Status, wait: Int? = nil) async throws -> Response {
            var response = try await site.render(
                "admin/login", title: "login_title",
                FormPage(csrf: form.raw(AdminForm.csrfField) ?? "", action: SiteRoute.adminLogin.path(), email: email,
                         error: site.text(key, context, ["seconds": String(wait ?? 0)]), next: next),
                context: context, request: request, status: status)
            if let wait { response.headers[.retryAfter] = String(wait) }
            return response
        }
        if let wait = clientThrottle.take("login|\(context.clientKey)") ?? accountThrottle.take("\(email)|\(context.clientKey)") {
            return try await refuse("login_throttled", status: .tooManyRequests, wait: wait)
        }
        guard email.count <= 254, password.count <= 1_024, let userID = try await site.database.verifyLogin(email: email, password: password),
              let first = try await site.database.memberships(userID: userID).first
        else {
            return try await refuse("login_failed", status: .unauthorized)
        }
        // A new session id at every sign-in; the one this browser had (if any) ends.
        if let previous = context.adminSession {
            _ = try await site.database.endSession(userID: previous.userID, sessionID: previous.id, now: site.now())
        }
        let secret = AdminSecret.make()
        guard let session = try await site.database.createSession(
            userID: userID, tenantID: first.tenant.id, secretDigest: AdminSecret.digest(secret), csrfToken: AdminSecret.make(),
            address: context.clientKey, userAgent: request.headers[.userAgent], now: site.now())
        else { return try await refuse("login_failed", status: .unauthorized) }
        var signedIn = context
        signedIn.adminSession = session
        try await site.audit(signedIn, "signed in")
        var response = AdminSite.seeOther(next ?? (session.role == .agent ? SiteRoute.adminShipments.path() : SiteRoute.admin.path()))
        response.setCookie(site.cookies.cookie(site.cookies.session, secret, maxAge: Int(site.lifetime.absolute)))
        response.setCookie(site.cookies.expired(site.cookies.preSession))
        return response
    }

    /// Where to go after signing in: only a path of the admin, never another site.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/admin"), !next.hasPrefix("//"), !next.contains("\\"), SiteRoute.area(ofPath: next) == .admin
        else { return nil }
        return next
    }

    @Sendable func logout(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        try await site.audit(context, "signed out")
        _ = try await site.database.endSession(userID: session.userID, sessionID: session.id, now: site.now())
        var response = AdminSite.seeOther(SiteRoute.adminLogin.path())
        response.setCookie(site.cookies.expired(site.cookies.session))
        return response
    }

    // MARK: Forgotten password

    @Sendable func forgotPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await preSessionForm("admin/forgot", title: "forgot_title", { FormPage(csrf: $0, action: SiteRoute.adminPasswordForgot.path()) },
                                 request: request, context: context)
    }

    /// Always the same answer; a link goes out only when the address has an account.
    @Sendable func forgot(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let form = try site.form(context)
        let page = FormPage(csrf: form.raw(AdminForm.csrfField) ?? "", action: SiteRoute.adminPasswordForgot.path(), live: false)
        if let wait = clientThrottle.take("reset|\(context.clientKey)") {
            var response = try await site.render(
                "admin/forgot", title: "forgot_title", FormPage(csrf: page.csrf, action: page.action, error: site.text("login_throttled", context, ["seconds": String(wait)])),
                context: context, request: request, status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        if let email = form["email"]?.lowercased(), email.count <= 254 {
            let secret = AdminSecret.make()
            if try await site.database.createPasswordReset(email: email, secretDigest: AdminSecret.digest(secret), now: site.now()) != nil {
                let link = site.links.baseURL + SiteRoute.adminPasswordReset.path(secret)
                // Sent after answering, so the answer takes as long for an unknown address.
                let language = context.adminLanguage
                Task { await mailer.send(.passwordReset(link: link), to: email, language: language) }
            }
        }
        return try await site.render("admin/forgot", title: "forgot_title", page, context: context, request: request, notice: site.text("forgot_sent", context))
    }

    @Sendable func resetPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let secret = context.parameters.get("token") ?? ""
        var live = false
        if AdminSecret.isWellFormed(secret) {
            live = try await site.database.passwordResetIsLive(secretDigest: AdminSecret.digest(secret), now: site.now())
        }
        return try await preSessionForm("admin/reset", title: "reset_title", {
            FormPage(csrf: $0, action: SiteRoute.adminPasswordReset.path(secret), error: live ? nil : site.text("link_dead", context), live: live)
        }, request: request, context: context, status: live ? .ok : .gone)
    }

    @Sendable func reset(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let form = try site.form(context)
        let secret = context.parameters.get("token") ?? ""
        let page = FormPage(csrf: form.raw(AdminForm.csrfField) ?? "", action: SiteRoute.adminPasswordReset.path(secret))
        if let problem = Self.passwordProblem(form) {
            return try await site.render(
                "admin/reset", title: "reset_title", FormPage(csrf: page.csrf, action: page.action, error: site.text(problem, context, ["count": String(Passwords.minimumLength)])),
                context: context, request: request, status: .unprocessableContent)
        }
        let hash = await Passwords.hash(form.raw("password") ?? "")
        guard AdminSecret.isWellFormed(secret),
              let userID = try await site.database.resetPassword(secretDigest: AdminSecret.digest(secret), passwordHash: hash, now: site.now())
        else {
            return try await site.render(
                "admin/reset", title: "reset_title", FormPage(csrf: page.csrf, action: page.action, error: site.text("link_dead", context), live: false),
                context: context, request: request, status: .gone)
        }
        for membership in try await site.database.memberships(userID: userID) {
            try await site.database.recordAudit(
                AuditEvent(tenantID: membership.tenant.id, actor: "user #\(userID)", action: "reset password by emailed link", address: context.clientKey),
                now: site.now())
        }
        return AdminSite.seeOther(SiteRoute.adminLogin.path() + "?done=reset")
    }

    /// The key of what is wrong with a new password in `form` (`password`, `confirm`), or nil.
    static func passwordProblem(_ form: AdminForm) -> String? {
        let password = form.raw("password") ?? ""
        guard password.count >= Passwords.minimumLength, password.count <= 256 else { return "password_too_short" }
        guard password == form.raw("confirm") else { return "password_mismatch" }
        return nil
    }

    // MARK: Invitations

    @Sendable func invitationPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let secret = context.parameters.get("token") ?? ""
        let pending = AdminSecret.isWellFormed(secret) ? try await site.database.invitation(secretDigest: AdminSecret.digest(secret), now: site.now()) : nil
        return try await preSessionForm("admin/invitation", title: "invitation_title", {
            FormPage(
                csrf: $0, action: SiteRoute.adminInvitation.path(secret), email: pending?.invitation.email ?? "",
                error: pending == nil ? site.text("link_dead", context) : nil, tenantName: pending?.tenant.name,
                needsPassword: pending?.hasAccount == false, live: pending != nil)
        }, request: request, context: context, status: pending == nil ? .gone : .ok)
    }

    @Sendable func acceptInvitation(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let form = try site.form(context)
        let secret = context.parameters.get("token") ?? ""
        guard AdminSecret.isWellFormed(secret), let pending = try await site.database.invitation(secretDigest: AdminSecret.digest(secret), now: site.now())
        else { return try await invitationPage(request, context: context) }
        var hash: String?
        if !pending.hasAccount {
            if let problem = Self.passwordProblem(form) {
                return try await site.render(
                    "admin/invitation", title: "invitation_title",
                    FormPage(csrf: form.raw(AdminForm.csrfField) ?? "", action: SiteRoute.adminInvitation.path(secret), email: pending.invitation.email,
                             error: site.text(problem, context, ["count": String(Passwords.minimumLength)]), tenantName: pending.tenant.name, needsPassword: true),
                    context: context, request: request, status: .unprocessableContent)
            }
            hash = await Passwords.hash(form.raw("password") ?? "")
        }
        guard try await site.database.acceptInvitation(secretDigest: AdminSecret.digest(secret), passwordHash: hash, now: site.now()) != nil else {
            return try await invitationPage(request, context: context)
        }
        try await site.database.recordAudit(
            AuditEvent(tenantID: pending.tenant.id, actor: pending.invitation.email, action: "accepted invitation as \(pending.invitation.role.rawValue)",
                       address: context.clientKey),
            now: site.now())
        return AdminSite.seeOther(SiteRoute.adminLogin.path() + "?done=invitation")
    }
}
