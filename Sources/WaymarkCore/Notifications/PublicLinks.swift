import Foundation

/// The public addresses Waymark puts in messages, API responses and webhooks, all built from
/// the server's public origin (`WAYMARK_BASE_URL`).
public struct PublicLinks: Sendable, Equatable {
    /// The origin without a trailing slash, e.g. `https://track.example.com`.
    public let baseURL: String

    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// What a server started with no settings answers on.
    public static let local = PublicLinks(baseURL: "http://127.0.0.1:8080")

    /// `{base}/{tenant}/t/{token}`: the shopper's tracking page.
    public func trackingURL(tenantSlug: String, token: String) -> String {
        baseURL + SiteRoute.trackingPage.path(tenantSlug, token)
    }

    /// Where a tenant's shoppers are sent from its messages: its own domain when it has one
    /// (`waymark tenant set-domain`; served with the base URL's scheme, since the same front end
    /// terminates TLS for both), else `{base}/{tenant}`. The API and webhooks keep the base URL.
    public func shopperOrigin(_ tenant: Tenant) -> String {
        guard let domain = tenant.customDomain, let scheme = baseURL.range(of: "://").map({ baseURL[..<$0.lowerBound] }) else {
            return baseURL + SiteRoute.lookupPage.path(tenant.slug)
        }
        return "\(scheme)://\(domain)"
    }

    /// The shopper's tracking page, as a message links to it.
    public func shopperTrackingURL(_ tenant: Tenant, token: String) -> String {
        shopperOrigin(tenant) + SiteRoute.trackingPage.shopperPath(prefix: "", token)
    }

    /// The tenant's logo as an absolute URL (emails, link previews): the uploaded one served
    /// here, else the one it links to.
    public func logoURL(_ tenant: Tenant) -> String? {
        tenant.branding.logoFile.map { shopperOrigin(tenant) + SiteRoute.tenantLogo.shopperPath(prefix: "", $0) } ?? tenant.branding.logoURL
    }

    /// The image link previews show (`og:image`): the one the tenant chose, else its logo; only
    /// an absolute http(s) URL, which is all preview bots fetch.
    public func ogImageURL(_ tenant: Tenant) -> String? {
        (tenant.branding.ogImageURL ?? logoURL(tenant)).flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
    }

    /// One-click unsubscribe for one subscription.
    public func unsubscribeURL(_ tenant: Tenant, token: String) -> String {
        shopperOrigin(tenant) + SiteRoute.unsubscribe.shopperPath(prefix: "", token)
    }
}
