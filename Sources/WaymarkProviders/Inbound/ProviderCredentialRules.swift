import Foundation
import WaymarkCore
import WaymarkSigning

/// What a merchant may enter for a provider, checked the same way by `waymark provider set`
/// and the admin's providers page.
extension ProviderName {
    /// The provider as its own dashboard names it.
    public var displayName: String {
        switch self {
        case .track123: "Track123"
        case .aftership: "AfterShip"
        case .seventeenTrack: "17TRACK"
        case .easypost: "EasyPost"
        case .shippo: "Shippo"
        case .waymark: "Waymark (generic feed)"
        }
    }

    /// Whether numbers can be registered here: every provider but the generic feed.
    public var registersNumbers: Bool { self != .waymark }

    /// Track123 and 17TRACK sign their webhooks with the account's API key: a secret is needed
    /// only when it differs from the key (see their adapters).
    public var signsWithAPIKey: Bool { self == .track123 || self == .seventeenTrack }

    /// Shippo cannot sign its webhooks: the secret travels as `?token=` in the hook URL.
    public var secretInURL: Bool { self == .shippo }

    /// The inbound webhook's path for a tenant, to paste into the provider's dashboard.
    public func hookPath(tenantSlug: String) -> String {
        SiteRoute.providerHook.path(rawValue, tenantSlug) + (secretInURL ? "?token=<secret>" : "")
    }

    /// A new random secret of the form this provider's adapter checks.
    public func generateSecret() -> String {
        self == .waymark ? StandardWebhooks.generateSecret() : SecureToken.random(byteCount: 32)
    }

    /// Nil when `secret` can be this provider's webhook secret; else what is wrong with it.
    public func secretProblem(_ secret: String) -> String? {
        guard !secret.isEmpty, secret.count <= 200, !secret.contains(where: \.isWhitespace) else {
            return "the secret must be 1 to 200 characters without spaces"
        }
        if self == .waymark {
            let key = secret.hasPrefix(StandardWebhooks.secretPrefix)
                ? Data(base64Encoded: String(secret.dropFirst(StandardWebhooks.secretPrefix.count))) : nil
            guard let key, (24...64).contains(key.count) else {
                return "the 'waymark' provider needs a Standard Webhooks secret: whsec_ followed by base64 of 24 to 64 bytes (or generate one)"
            }
        }
        return nil
    }

    /// Nil when `key` can be an API key; else what is wrong with it.
    public static func apiKeyProblem(_ key: String) -> String? {
        key.isEmpty || key.count > 200 || key.contains(where: \.isWhitespace) ? "the API key must be 1 to 200 characters without spaces" : nil
    }
}
