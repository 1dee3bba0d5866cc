import Foundation

/// Where each provider's API lives: the real hosts by default; another origin (a sandbox, a
/// local stand-in in tests) through the `WAYMARK_*_URL` environment variables.
public struct ProviderBaseURLs: Sendable, Equatable {
    public var track123: String
    public var aftership: String
    public var seventeenTrack: String
    public var easypost: String
    public var shippo: String

    public init(
        track123: String = "https://api.track123.com", aftership: String = "https://api.aftership.com",
        seventeenTrack: String = "https://api.17track.net", easypost: String = "https://api.easypost.com",
        shippo: String = "https://api.goshippo.com"
    ) {
        self.track123 = Self.trimmed(track123)
        self.aftership = Self.trimmed(aftership)
        self.seventeenTrack = Self.trimmed(seventeenTrack)
        self.easypost = Self.trimmed(easypost)
        self.shippo = Self.trimmed(shippo)
    }

    /// Reads WAYMARK_TRACK123_URL, WAYMARK_AFTERSHIP_URL, WAYMARK_17TRACK_URL,
    /// WAYMARK_EASYPOST_URL and WAYMARK_SHIPPO_URL; an unset or empty one keeps the real host.
    public init(environment: [String: String]) throws {
        let defaults = ProviderBaseURLs()
        func url(_ name: String, _ fallback: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { return fallback }
            guard let parsed = URL(string: value), parsed.host != nil, ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
                throw ProviderConfigurationError(description: "\(name) '\(value)' must be an absolute http(s) URL like https://api.example.com")
            }
            return value
        }
        self.init(
            track123: try url("WAYMARK_TRACK123_URL", defaults.track123),
            aftership: try url("WAYMARK_AFTERSHIP_URL", defaults.aftership),
            seventeenTrack: try url("WAYMARK_17TRACK_URL", defaults.seventeenTrack),
            easypost: try url("WAYMARK_EASYPOST_URL", defaults.easypost),
            shippo: try url("WAYMARK_SHIPPO_URL", defaults.shippo))
    }

    /// Paths are appended with their own leading slash.
    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// A provider setting that cannot work, said so that the operator can fix it.
public struct ProviderConfigurationError: Error, CustomStringConvertible {
    public let description: String
}
