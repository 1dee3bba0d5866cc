/// Why a merchant-supplied URL was refused. Each message says what is wrong and how to fix it,
/// so the API and admin pages can show it as-is.
public enum OutboundURLError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAbsoluteURL(String)
    case forbiddenCharacters(String, what: String)
    case unsupportedScheme(String)
    case userinfoNotAllowed
    case missingHost
    case invalidHost(String)
    case invalidPort(String)
    case localHostName(String)
    /// The host is an IP literal in a refused range.
    case refusedAddress(host: String, AddressRefusal)
    /// The host is a name that resolves to at least one address in a refused range.
    case refusedResolvedAddress(host: String, AddressRefusal)
    case resolutionFailed(host: String, reason: String)
    case noAddresses(host: String)

    private static let publicOnly =
        "URLs Waymark calls must reach the public internet (an operator can allow ranges with \(OutboundPolicy.environmentKey))"

    public var description: String {
        switch self {
        case .notAbsoluteURL(let text):
            "\"\(text)\" is not an absolute URL; write it in full, like https://example.com/hooks/waymark"
        case .forbiddenCharacters(_, let what):
            "the URL contains \(what); remove it or percent-encode it in the path"
        case .unsupportedScheme(let scheme):
            "the scheme \"\(scheme)\" is not allowed; use an http:// or https:// URL"
        case .userinfoNotAllowed:
            "the URL contains a user name or password before \"@\"; remove it and authenticate with the webhook signature instead"
        case .missingHost:
            "the URL has no host; write it like https://example.com/hooks/waymark"
        case .invalidHost(let host):
            "the host \"\(host)\" is not a valid DNS name or IP address; use a public host name like example.com"
        case .invalidPort(let port):
            "the port \"\(port)\" is not a number from 1 to 65535"
        case .localHostName(let host):
            "the host \(host) names this machine; \(Self.publicOnly)"
        case .refusedAddress(let host, let refusal):
            if host == refusal.address.description {
                "the host \(host) is \(refusal.category.phrase)\(Self.carrying(refusal)); \(Self.publicOnly)"
            } else {
                "the host \(host) is \(refusal.explanation); \(Self.publicOnly)"
            }
        case .refusedResolvedAddress(let host, let refusal):
            "the host \(host) resolves to \(refusal.explanation); \(Self.publicOnly)"
        case .resolutionFailed(let host, let reason):
            "the host \(host) could not be resolved (\(reason)); check the spelling and the DNS records"
        case .noAddresses(let host):
            "the host \(host) has no IPv4 or IPv6 address; check the DNS records"
        }
    }

    private static func carrying(_ refusal: AddressRefusal) -> String {
        refusal.embeddedIPv4.map { " (it carries \($0))" } ?? ""
    }
}
