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
        "\(baseURL)/\(tenantSlug)/t/\(token)"
    }

    /// `{base}/{tenant}/unsubscribe/{token}`: one-click unsubscribe for one subscription.
    public func unsubscribeURL(tenantSlug: String, token: String) -> String {
        "\(baseURL)/\(tenantSlug)/unsubscribe/\(token)"
    }
}
