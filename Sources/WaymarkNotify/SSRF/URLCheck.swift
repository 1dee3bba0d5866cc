import NIOCore

/// The SSRF guard for merchant-supplied URLs (webhook endpoints, later any outbound URL).
///
/// Two checks, one rule: `checkAtSaveTime` refuses what is wrong on its face (scheme, userinfo,
/// `localhost`, an IP literal in a refused range in any spelling); `checkAtSendTime` does that
/// again, resolves the name once, refuses if any answer is refused, and returns the vetted
/// addresses so the caller connects to exactly those — a second lookup could be rebound.
public struct URLCheck: Sendable {
    public let policy: OutboundPolicy

    public init(policy: OutboundPolicy = .publicInternetOnly) {
        self.policy = policy
    }

    public func checkAtSaveTime(_ url: String) throws(OutboundURLError) -> OutboundURL {
        let parsed = try OutboundURLParser.parse(url)
        switch parsed.host {
        case .name(let name):
            if name == "localhost" || name.hasSuffix(".localhost") {
                throw .localHostName(name)
            }
        case .address(let address):
            if let refusal = refusal(for: address) {
                throw .refusedAddress(host: parsed.hostAsWritten, refusal)
            }
        }
        return parsed
    }

    public func checkAtSendTime(_ url: String, resolver: some Resolver) async throws(OutboundURLError) -> VettedDestination {
        let parsed = try checkAtSaveTime(url)
        switch parsed.host {
        case .address(let address):
            let vetted = try socketAddress(address, port: parsed.port, host: parsed.hostAsWritten)
            return VettedDestination(url: parsed, addresses: [vetted])
        case .name(let name):
            let answers: [SocketAddress]
            do {
                answers = try await resolver.resolve(host: name, port: parsed.port)
            } catch let error as ResolutionError {
                throw .resolutionFailed(host: name, reason: error.reason)
            } catch {
                throw .resolutionFailed(host: name, reason: String(describing: error))
            }
            guard !answers.isEmpty else { throw .noAddresses(host: name) }
            var vetted: [SocketAddress] = []
            for answer in answers {
                // Anything that isn't a plain IP (a Unix socket from a misbehaving resolver) is refused.
                guard let text = answer.ipAddress, let address = IPAddress(text) else {
                    throw .resolutionFailed(host: name, reason: "the resolver returned \(answer), which is not an IP address")
                }
                if let refusal = refusal(for: address) {
                    throw .refusedResolvedAddress(host: name, refusal)
                }
                vetted.append(try socketAddress(address, port: parsed.port, host: name))
            }
            return VettedDestination(url: parsed, addresses: vetted)
        }
    }

    /// Nil when Waymark may connect to the address under this policy.
    public func refusal(for address: IPAddress) -> AddressRefusal? {
        RefusedRanges.refusal(for: address, policy: policy)
    }

    /// Rebuilt from the parsed address (not taken from the resolver as is), so the port is the
    /// URL's and the address is exactly the one that was checked.
    private func socketAddress(_ address: IPAddress, port: Int, host: String) throws(OutboundURLError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: address.description, port: port)
        } catch {
            throw .resolutionFailed(host: host, reason: "\(address) cannot be used as a socket address")
        }
    }
}

/// A URL that passed the send-time check and the addresses to connect to — only these.
public struct VettedDestination: Sendable {
    public let url: OutboundURL
    public let addresses: [SocketAddress]
}
