import Foundation

/// The tracking-data providers that can push updates to `POST /hooks/{provider}/{tenant}`;
/// the raw value is the path component.
public enum ProviderName: String, CaseIterable, Sendable {
    case track123
    case aftership
    case seventeenTrack = "17track"
    case easypost
    case shippo
    /// Waymark's own generic format, for merchants' carrier feeds and tests.
    case waymark
}

/// One tenant's credentials for one provider, as the merchant entered them. Which field a provider
/// reads is documented on its adapter; an empty string counts as not set.
public struct ProviderCredentials: Sendable, Equatable {
    public var secret: String?
    public var apiKey: String?

    public init(secret: String? = nil, apiKey: String? = nil) {
        self.secret = secret
        self.apiKey = apiKey
    }
}

/// Turns one provider's webhook requests into Waymark updates: first `verify` (is it really from
/// the provider, and fresh?), then `decode` (what does it say?). Both are pure: no I/O, no clock
/// but the `now` they are given.
public protocol ProviderAdapter: Sendable {
    var name: ProviderName { get }

    /// Checks the request's signature or token against the tenant's credentials, comparing in
    /// constant time. Throws `notConfigured` when the tenant has not set the credential this
    /// provider needs.
    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError)

    /// Decodes a verified request. Throws `malformed` with the path of the offending field.
    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook
}

/// The adapter for each provider.
public enum ProviderAdapters {
    public static func adapter(for name: ProviderName) -> any ProviderAdapter {
        switch name {
        case .track123: Track123Adapter()
        case .aftership: AfterShipAdapter()
        case .seventeenTrack: SeventeenTrackAdapter()
        case .easypost: EasyPostAdapter()
        case .shippo: ShippoAdapter()
        case .waymark: WaymarkAdapter()
        }
    }
}

extension ProviderCredentials {
    /// The credential at `keyPath`, or `notConfigured` naming what the merchant must set.
    func required(_ keyPath: KeyPath<ProviderCredentials, String?>, for provider: ProviderName, _ what: String) throws(InboundError) -> String {
        guard let value = self[keyPath: keyPath], !value.isEmpty else {
            let option = keyPath == \ProviderCredentials.apiKey ? "--api-key" : "--secret"
            throw .notConfigured("no \(provider.rawValue) \(what) is set for this tenant (waymark provider set --provider \(provider.rawValue) \(option) ...)")
        }
        return value
    }

    /// For providers with one account key that both calls the API and signs webhooks: the API key,
    /// or, when the merchant entered it as the secret, that.
    func accountKey(for provider: ProviderName) throws(InboundError) -> String {
        if let apiKey, !apiKey.isEmpty { return apiKey }
        return try required(\.secret, for: provider, "API key")
    }
}
