import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The shopper's pages: lookup, tracking page, theme stylesheet, and (in their own files)
/// subscribing to updates and unsubscribing. Server-rendered, no script.
struct ShopperController {
    let database: any TenantStore & ShipmentStore & SubscriptionStore & TemplateStore
    let renderer: PageRenderer
    let catalog: Catalog
    let clientThrottle: RateLimiter
    let tenantThrottle: RateLimiter
    let pageCache: TrackingPageCache
    let stamps: TrackingPageStamps
    /// Counts page views for the dashboard, off the request path.
    let usage: UsageRecorder
    let now: @Sendable () -> Date
    /// Absolute links (an uploaded logo's URL for link previews).
    let links: PublicLinks

    var sections: PageSectionRenderer { PageSectionRenderer(catalog: catalog) }

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.lookupPage, .get, use: lookupPage)
        router.on(.lookup, .post, use: lookup)
        router.on(.trackingPage, .get, use: trackingPage)
        router.on(.theme, .get, use: theme)
        router.on(.tenantLogo, .get, use: logo)
        router.on(.afterDeliveryClick, .get, use: afterDeliveryClick)
        router.on(.subscribe, .post, use: subscribe)
        router.on(.unsubscribe, .get, use: unsubscribePage)
        router.on(.unsubscribe, .post, use: unsubscribe)
    }

    @Sendable func lookupPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let language = language(request, tenant)
        let page = LookupPageView.make(tenant: tenant, language: language, catalog: catalog, prefix: context.shopperPrefix(slug: tenant.slug))
        return try renderer.response("shopper/lookup", page, request: request)
    }

    @Sendable func lookup(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let language = language(request, tenant)
        let prefix = context.shopperPrefix(slug: tenant.slug)
        let form = try await decodeForm(LookupForm.self, request)

        func reshow(_ messageKey: String, status: HTTPResponse.Status) throws -> Response {
            let page = LookupPageView.make(
                tenant: tenant, language: language, catalog: catalog, prefix: prefix, form: form,
                message: catalog.text(messageKey, language))
            return try renderer.response("shopper/lookup", page, status: status, cacheControl: "no-store")
        }

        if let wait = clientThrottle.take("\(tenant.id)|\(context.clientKey)") ?? tenantThrottle.take("\(tenant.id)") {
            var response = try reshow("lookup_throttled", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }

        let orderNumber = LookupForm.clean(form.order_number)
        let email = LookupForm.clean(form.email)
        let postalCode = LookupForm.clean(form.postal_code)
        let trackingNumber = LookupForm.clean(form.tracking_number)

        if let orderNumber, email != nil || postalCode != nil {
            guard let shipment = try await database.lookupShipment(
                tenantID: tenant.id, orderNumber: orderNumber, email: email, postalCode: postalCode)
            else { return try reshow("lookup_no_match", status: .ok) }
            return Response(status: .seeOther, headers: [.location: SiteRoute.trackingPage.shopperPath(prefix: prefix, shipment.token) + "?lang=\(language)", .cacheControl: "no-store"])
        }
        if let trackingNumber {
            guard let tracked = try await database.lookupShipment(tenantID: tenant.id, trackingNumber: trackingNumber)
            else { return try reshow("lookup_no_match", status: .ok) }
            // Knowing a tracking number proves less than knowing the order and the email:
            // show the journey, keep the order number and the link's token private.
            var page = TrackingPageView.make(
                tenant: tenant, tracked: tracked, language: language, catalog: catalog, prefix: prefix, showOrder: false, now: now())
            try await applyOwnSections(to: &page, tenant: tenant, tracked: tracked, language: language, prefix: prefix)
            return try renderer.response("shopper/tracking", page, cacheControl: "no-store")
        }
        return try reshow("lookup_missing_fields", status: .unprocessableContent)
    }

    @Sendable func trackingPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let slug = try Self.slug(context)
        let token = context.parameters.get("token") ?? ""
        // One read for the tenant and what the page depends on, remembered while nothing changed;
        // an ill-formed token is never looked up.
        let key = TrackingPageStampKey(slug: slug, token: SecureToken.isWellFormed(token) ? token : "")
        guard let subject = try await stamps.value(for: key, generation: database.localCommits) else { throw HTTPError(.notFound) }
        // Fields of `subject.tenant` rather than a copy of it: a hit should not copy the record.
        let language = language(request, tenantDefault: subject.tenant.defaultLocale)
        let prefix = context.shopperPrefix(slug: subject.tenant.slug)
        guard subject.hasShipment else { return try notFound(subject.tenant, language: language, prefix: prefix) }
        let now = now()
        if request.method == .get {
            let source = request.uri.queryParameters[Substring(PageVisitSource.parameter)].flatMap { PageVisitSource(rawValue: String($0)) }
            usage.pageView(tenantID: subject.tenant.id, token: token, source: source, at: now)
        }
        // Back from subscribing (post, redirect, get): say thank you, whatever the address was.
        // That page is for this shopper only, so it is neither taken from nor put in the cache.
        let confirming = request.uri.queryParameters["subscribed"] == "1"
        if !confirming, let page = pageCache.page(for: .init(subject: subject, language: language, prefix: prefix, now: now)) {
            return PageRenderer.response(page, request: request, cacheControl: PageRenderer.revalidate)
        }
        let tenant = subject.tenant
        guard let tracked = try await database.shipment(tenantID: tenant.id, token: token) else {
            return try notFound(tenant, language: language, prefix: prefix)
        }
        var view = TrackingPageView.make(
            tenant: tenant, tracked: tracked, language: language, catalog: catalog, prefix: prefix, showOrder: true, now: now)
        try await applyOwnSections(to: &view, tenant: tenant, tracked: tracked, language: language, prefix: prefix)
        if confirming {
            view.subscribe?.confirmation = catalog.text("subscribe.confirmation", language)
        }
        let page = try renderer.keptPage("shopper/tracking", view)
        if !confirming {
            // Keyed by what was just read, which may be newer than the stamp; by the remembered
            // subject itself when it is the same, so that hits compare one pointer.
            let read = TrackingPageStamp(tracked)
            let shown = read == subject.stamp ? subject : TrackingPageSubject(tenant: tenant, stamp: read)
            pageCache.store(page, for: .init(subject: shown, language: language, prefix: prefix, now: now))
        }
        return PageRenderer.response(page, request: request, cacheControl: PageRenderer.revalidate)
    }

    @Sendable func theme(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        return PageRenderer.cachedResponse(
            body: ByteBuffer(string: ThemeStylesheet.css(for: tenant.branding)), contentType: "text/css; charset=utf-8",
            status: .ok, request: request, cacheControl: "public, max-age=300")
    }

    /// The merchant's own page sections and the absolute link-preview image of an uploaded logo.
    /// Only a tenant that ever changed a section pays for reading them.
    func applyOwnSections(to view: inout TrackingPageView, tenant: Tenant, tracked: TrackedShipment, language: String, prefix: String) async throws {
        if tenant.pagesVersion > 0 {
            let own = try await database.pageSections(tenantID: tenant.id, locale: language)
            if !own.isEmpty {
                let sectionView = sections.view(page: view, tenant: tenant, tracked: tracked, language: language, prefix: prefix)
                view.apply(sections.render(own, view: sectionView))
            }
            if tracked.shipment.status == .delivered {
                let links = try await database.afterDeliveryLinks(tenantID: tenant.id)
                view.afterLinks = AfterLinksView.make(links, heading: catalog.text("after_delivery_heading", language, ["merchant": tenant.name]), prefix: prefix)
            }
        }
        if tenant.branding.logoFile != nil { view.layout.ogImageURL = links.ogImageURL(tenant) }
    }

    /// The uploaded logo, under a name that changes with its bytes: cached for good, typed as
    /// sniffed on upload, and under a policy that lets an SVG run nothing if opened on its own.
    @Sendable func logo(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        guard let file = context.parameters.get("file"), let logo = try await database.logo(tenantID: tenant.id, file: file) else {
            throw HTTPError(.notFound)
        }
        var headers: HTTPFields = [.contentType: logo.contentType, .cacheControl: "public, max-age=31536000, immutable"]
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: logo.bytes)))
    }

    /// A review or product link of a delivered page: counted (in memory, written with the page
    /// views), then the shopper goes on. Only links the merchant saved lead anywhere, so this is
    /// no open redirect.
    @Sendable func afterDeliveryClick(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        guard let id = context.parameters.get("link").flatMap(Int64.init), let link = try await database.afterDeliveryLink(tenantID: tenant.id, id: id) else {
            throw HTTPError(.notFound)
        }
        if request.method == .get { usage.linkClicked(link.id, at: now()) }
        return Response(status: .seeOther, headers: [.location: link.url, .cacheControl: "no-store"])
    }

    /// The branded "no such page" answer for an unknown tracking or unsubscribe token.
    func notFound(_ tenant: Tenant, language: String, prefix: String) throws(RenderError) -> Response {
        let page = NotFoundPageView.make(tenant: tenant, language: language, catalog: catalog, prefix: prefix, path: SiteRoute.lookupPage.shopperPath(prefix: prefix))
        return try renderer.response("shopper/not-found", page, status: .notFound, cacheControl: "no-store")
    }

    func tenant(_ context: WaymarkRequestContext) async throws -> Tenant {
        guard let tenant = try await database.tenant(slug: try Self.slug(context)) else { throw HTTPError(.notFound) }
        return tenant
    }

    /// The `{tenant}` path segment; a string that could not be a slug is never looked up.
    static func slug(_ context: WaymarkRequestContext) throws -> String {
        guard let slug = context.parameters.get("tenant"), (try? TenantSlug(slug)) != nil else { throw HTTPError(.notFound) }
        return slug
    }

    func language(_ request: Request, _ tenant: Tenant) -> String {
        language(request, tenantDefault: tenant.defaultLocale)
    }

    func language(_ request: Request, tenantDefault: String?) -> String {
        ShopperLanguage.negotiate(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage], tenantDefault: tenantDefault)
    }

    func decodeForm<Form: Decodable>(_ type: Form.Type, _ request: Request) async throws -> Form {
        let body = try await request.body.collect(upTo: 16 * 1024)
        do {
            return try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: body))
        } catch {
            throw HTTPError(.badRequest, message: "The form could not be read.")
        }
    }
}
