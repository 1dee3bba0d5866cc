import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `GET, POST /{tenant}/unsubscribe/{token}`: the link in every shopper email. GET only shows
/// the choices (mail scanners follow links, so a GET must never unsubscribe); POST does it: an
/// RFC 8058 one-click from the mail client, or one of the page's buttons. No cookies and no
/// CSRF token: the secret token in the path is the only credential, as the RFC expects.
extension ShopperController {
    @Sendable func unsubscribePage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let link = try await unsubscribeLink(request, context)
        let (tenant, language, prefix, token) = (link.tenant, link.language, link.prefix, link.token)
        guard link.known else { return try notFound(tenant, language: language, prefix: prefix) }
        let page = UnsubscribePageView.make(tenant: tenant, language: language, catalog: catalog, prefix: prefix, token: token)
        return try renderer.response("shopper/unsubscribe", page, cacheControl: "no-store")
    }

    @Sendable func unsubscribe(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let link = try await unsubscribeLink(request, context)
        let (tenant, language, prefix, token) = (link.tenant, link.language, link.prefix, link.token)
        guard link.known else { return try notFound(tenant, language: language, prefix: prefix) }
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let choice = UnsubscribeChoice(contentType: request.headers[.contentType], body: String(buffer: body)) else {
            let page = UnsubscribePageView.make(
                tenant: tenant, language: language, catalog: catalog, prefix: prefix, token: token,
                message: catalog.text("unsubscribe.choose", language))
            return try renderer.response("shopper/unsubscribe", page, status: .badRequest, cacheControl: "no-store")
        }
        // Idempotent: the same link posted twice says the same thing and changes nothing more.
        guard try await database.unsubscribe(tenantID: tenant.id, token: token, everything: choice == .everything, now: now()) != nil else {
            return try notFound(tenant, language: language, prefix: prefix)
        }
        let page = UnsubscribePageView.make(tenant: tenant, language: language, catalog: catalog, prefix: prefix, token: token, done: choice)
        return try renderer.response("shopper/unsubscribe", page, cacheControl: "no-store")
    }

    /// The tenant, language and token of an unsubscribe link, and whether the token is one of
    /// this tenant's (an unknown one gets the branded 404, whatever the method).
    private func unsubscribeLink(
        _ request: Request, _ context: WaymarkRequestContext
    ) async throws -> (tenant: Tenant, language: String, prefix: String, token: String, known: Bool) {
        let tenant = try await tenant(context)
        let token = context.parameters.get("token") ?? ""
        var known = false
        if SecureToken.isWellFormed(token) {
            known = try await database.subscription(tenantID: tenant.id, unsubscribeToken: token) != nil
        }
        return (tenant, language(request, tenant), context.shopperPrefix(slug: tenant.slug), token, known)
    }
}
