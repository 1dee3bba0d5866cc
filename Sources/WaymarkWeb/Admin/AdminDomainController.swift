import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `/admin/settings/domain`: serve the tenant's shopper pages on its own host name. Asking for
/// a domain shows the TXT record that proves it is the merchant's; "Verify" looks the record up
/// (through `resolver`, which tests replace) and only a match starts serving there. Stopping is
/// one button. The same steps as `waymark tenant set-domain` and `verify-domain`.
struct AdminDomainController {
    let site: AdminSite
    let resolver: any TXTResolver
    /// This server's own host name, which no tenant may claim, and the CNAME target to show.
    let baseHost: String

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminDomain, .get, mountedAt: .admin, use: show)
        router.on(.adminDomain, .post, mountedAt: .admin, use: change)
        router.on(.adminDomainVerify, .post, mountedAt: .admin, use: verify)
    }

    struct Page: Encodable {
        let action = SiteRoute.adminDomain.path()
        let verifyAction = SiteRoute.adminDomainVerify.path()
        let served: String?
        let servedURL: String?
        let claim: Claim?
        let baseHost: String
        let domain: String
        let errors: [String]
        let hasErrors: Bool

        struct Claim: Encodable {
            let domain: String
            let recordName: String
            let recordValue: String
            let checked: String?
            let problem: String?
        }
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let notice = request.uri.queryParameters["verified"] != nil ? site.text("domain_verified", context) : nil
        return try await page(request, context: context, notice: notice)
    }

    /// Asks for a domain (`domain`), or stops serving and forgets the claim (`remove`).
    @Sendable func change(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        let now = site.now()
        if form["remove"] != nil {
            let old = session.tenant.customDomain
            _ = try await site.database.setCustomDomain(tenantID: session.tenant.id, domain: nil, now: now)
            try await site.audit(context, "stopped serving the custom domain" + (old.map { " \($0)" } ?? ""), subject: "custom domain")
            return AdminSite.seeOther(SiteRoute.adminDomain.path())
        }
        guard let host = form["domain"].flatMap(CustomDomain.hostName) else {
            return try await page(request, context: context, domain: form["domain"], errors: [site.text("domain_invalid", context)], status: .unprocessableContent)
        }
        guard host != baseHost else {
            return try await page(request, context: context, domain: host, errors: [site.text("domain_is_base", context)], status: .unprocessableContent)
        }
        do {
            _ = try await site.database.claimDomain(tenantID: session.tenant.id, domain: host, token: SecureToken.random(byteCount: 18), now: now)
        } catch let error as StoreError {
            return try await page(request, context: context, domain: host, errors: [error.description], status: .unprocessableContent)
        }
        try await site.audit(context, "asked to serve the custom domain \(host)", subject: "custom domain")
        return AdminSite.seeOther(SiteRoute.adminDomain.path())
    }

    @Sendable func verify(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        guard let claim = try await site.database.domainClaim(tenantID: session.tenant.id) else {
            return AdminSite.seeOther(SiteRoute.adminDomain.path())
        }
        let problem = await DomainProof.problem(with: claim, resolver: resolver)
        do {
            _ = try await site.database.recordDomainCheck(tenantID: session.tenant.id, problem: problem, now: site.now())
        } catch let error as StoreError {
            return try await page(request, context: context, errors: [error.description], status: .conflict)
        }
        guard problem == nil else { return AdminSite.seeOther(SiteRoute.adminDomain.path()) }
        try await site.audit(context, "verified the custom domain \(claim.domain); it is served there", subject: "custom domain")
        return AdminSite.seeOther(SiteRoute.adminDomain.path() + "?verified=1")
    }

    private func page(
        _ request: Request, context: WaymarkRequestContext, domain: String? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok,
        notice: String? = nil
    ) async throws -> Response {
        let session = try site.session(context)
        // Read again: the session's copy of the tenant is from the start of the request.
        let tenant = try await site.database.tenant(id: session.tenant.id) ?? session.tenant
        let claim = try await site.database.domainClaim(tenantID: tenant.id)
        let page = Page(
            served: tenant.customDomain, servedURL: tenant.customDomain.map { _ in site.links.shopperOrigin(tenant) + "/" },
            claim: claim.map { claim in
                Page.Claim(
                    domain: claim.domain, recordName: claim.recordName, recordValue: claim.recordValue,
                    checked: claim.checkedAt.map(AdminDate.format), problem: claim.problem)
            },
            baseHost: baseHost, domain: domain ?? "", errors: errors, hasErrors: !errors.isEmpty)
        return try await site.render("admin/domain", title: "domain_title", page, context: context, request: request, status: status, notice: notice)
    }
}
