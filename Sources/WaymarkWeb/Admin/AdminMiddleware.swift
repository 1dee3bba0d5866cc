import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkSigning

/// In front of every `/admin` route: finds the session behind the cookie, keeps out whoever
/// lacks the route's role (sign-in page for a page, 403 for a form), checks the CSRF field of
/// every form, picks the language, and answers with the admin's own headers.
///
/// Forms of a session carry the session's CSRF token; the forms used before signing in carry the
/// value of a cookie set with the form (so a page on another site cannot post them either: it
/// can neither read that cookie nor, with SameSite=Lax, make the browser send it on a post).
struct AdminMiddleware: RouterMiddleware {
    typealias Context = WaymarkRequestContext
    let site: AdminSite

    /// Admin pages may run the one script of `Public/js/admin.js` (copy buttons), nothing else,
    /// and frame only their own previews (which carry a policy of their own).
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: data:", "form-action 'self'",
        "frame-src 'self'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let maxFormSize = 64 * 1024
    /// A template form holds up to three texts of 64 KB each, percent-encoded.
    static let maxTemplateFormSize = 3 * 3 * TemplateKind.maximumBytes
    /// The logo upload: the image and the form around it.
    static let maxUploadSize = LogoImage.maximumBytes + 16 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let query = request.uri.queryParameters["lang"].map(String.init)
        context.adminLanguage = AdminLanguage.negotiate(
            query: query, remembered: request.cookies[site.cookies.language]?.value, acceptLanguage: request.headers[.acceptLanguage])
        if let secret = request.cookies[site.cookies.session]?.value, AdminSecret.isWellFormed(secret) {
            context.adminSession = try await site.database.session(secretDigest: AdminSecret.digest(secret), lifetime: site.lifetime, now: site.now())
        }
        var response: Response
        do {
            if let refused = try await admit(&request, &context) {
                response = refused
            } else {
                response = try await next(request, context)
            }
        } catch let error as HTTPError where error.status == .forbidden {
            response = try await forbidden(request, context)
        }
        // A preview keeps its own, stricter policy.
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy }
        response.headers[.cacheControl] = "no-store"
        if let query, let language = AdminLanguage.match(query) {
            response.setCookie(site.cookies.cookie(site.cookies.language, language, maxAge: 365 * 86_400))
        }
        return response
    }

    /// Nil when the request may go on to its route; else the answer in its place.
    private func admit(_ request: inout Request, _ context: inout Context) async throws -> Response? {
        guard let (route, _) = SiteRoute.match(request.uri.path), route.area == .admin else { return nil }
        if let needed = route.adminRole {
            guard let session = context.adminSession else {
                guard request.method == .get || request.method == .head else { throw HTTPError(.forbidden) }
                let next = request.uri.path == SiteRoute.admin.path() ? "" : "?next=" + (request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                return AdminSite.seeOther(SiteRoute.adminLogin.path() + next)
            }
            guard session.role.allows(needed) else { throw HTTPError(.forbidden) }
        }
        guard request.method == .post else { return nil }
        let form: AdminForm
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) {
            let body = try await request.collectBody(upTo: Self.maxUploadSize)
            guard let multipart = MultipartForm(Array(buffer: body), boundary: boundary) else {
                throw HTTPError(.badRequest, message: "The upload could not be read; choose the file again.")
            }
            form = AdminForm(multipart)
        } else {
            let body = try await request.collectBody(upTo: route == .adminTemplate ? Self.maxTemplateFormSize : Self.maxFormSize)
            form = AdminForm(String(buffer: body))
        }
        let expected = route.adminRole == nil ? request.cookies[site.cookies.preSession]?.value : context.adminSession?.csrfToken
        guard let expected, !expected.isEmpty, let given = form.raw(AdminForm.csrfField), ConstantTime.equals(given, expected) else {
            throw HTTPError(.forbidden)
        }
        context.adminForm = form
        return nil
    }

    private func forbidden(_ request: Request, _ context: Context) async throws -> Response {
        struct Page: Encodable {
            let signedIn: Bool
            let loginURL = SiteRoute.adminLogin.path()
        }
        return try await site.render(
            "admin/forbidden", title: "forbidden_title", Page(signedIn: context.adminSession != nil), context: context, request: request,
            status: .forbidden)
    }
}
