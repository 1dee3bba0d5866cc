/// The operator's exceptions to the SSRF guard: ranges that outbound requests may reach even
/// though they are private, loopback, etc. Empty by default, so merchants' URLs can only reach
/// the public internet; tests and private deployments open what they need.
public struct OutboundPolicy: Sendable, Hashable {
    /// The environment variable that holds the allow-list: comma-separated CIDR ranges.
    public static let environmentKey = "WAYMARK_OUTBOUND_ALLOW"

    /// The policy with no exceptions.
    public static let publicInternetOnly = OutboundPolicy(allowedRanges: [])

    public let allowedRanges: [CIDR]

    public init(allowedRanges: [CIDR]) {
        self.allowedRanges = allowedRanges
    }

    /// Parses a comma-separated list such as `127.0.0.0/8, fd00::/8`; blanks around entries and
    /// empty entries are ignored.
    public init(allowList: String) throws(OutboundPolicyError) {
        var ranges: [CIDR] = []
        for entry in allowList.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
            if trimmed.isEmpty { continue }
            do {
                ranges.append(try CIDR(parsing: String(trimmed)))
            } catch {
                throw OutboundPolicyError(variable: Self.environmentKey, cidr: error)
            }
        }
        self.init(allowedRanges: ranges)
    }

    /// Reads `WAYMARK_OUTBOUND_ALLOW` from the given environment; missing means no exceptions.
    public init(environment: [String: String]) throws(OutboundPolicyError) {
        try self.init(allowList: environment[Self.environmentKey] ?? "")
    }

    public func allows(_ address: IPAddress) -> Bool {
        allowedRanges.contains { $0.contains(address) }
    }
}

/// A bad entry in the allow-list; the message names the variable and the entry.
public struct OutboundPolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    public let variable: String
    public let cidr: CIDRError

    public var description: String { "\(variable): \(cidr.description), separated by commas" }
}
