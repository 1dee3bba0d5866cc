/// A range of addresses written as `address/prefix`, e.g. `10.0.0.0/8` or `fd00::/8`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range (host bits cleared).
    public let network: IPAddress
    public let prefixLength: Int

    /// Builds a range from a number; bits beyond the prefix are cleared.
    init(v4 value: UInt32, prefix: Int) {
        self.prefixLength = prefix
        self.network = .v4(value & Self.mask32(prefix))
    }

    init(v6 value: UInt128, prefix: Int) {
        self.prefixLength = prefix
        self.network = .v6(value & Self.mask128(prefix))
    }

    /// Parses `address/prefix` (canonical address spellings only). A bare address means that
    /// one address (`/32` or `/128`).
    public init(parsing text: some StringProtocol) throws(CIDRError) {
        let text = Substring(text)
        let addressText: Substring
        var prefix: Int?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            let prefixText = text[text.index(after: slash)...]
            guard (1...3).contains(prefixText.count), prefixText.allSatisfy(\.isASCIIDigit),
                  let number = Int(prefixText)
            else { throw CIDRError(text: String(text), reason: "the prefix length after \"/\" must be a number") }
            prefix = number
        } else {
            addressText = text
        }
        guard let address = IPAddress(addressText) else {
            throw CIDRError(text: String(text), reason: "\"\(addressText)\" is not an IPv4 or IPv6 address")
        }
        switch address {
        case .v4(let value):
            let length = prefix ?? 32
            guard length <= 32 else {
                throw CIDRError(text: String(text), reason: "an IPv4 prefix length must be 0 to 32")
            }
            self.init(v4: value, prefix: length)
        case .v6(let value):
            let length = prefix ?? 128
            guard length <= 128 else {
                throw CIDRError(text: String(text), reason: "an IPv6 prefix length must be 0 to 128")
            }
            self.init(v6: value, prefix: length)
        }
    }

    public func contains(_ address: IPAddress) -> Bool {
        switch (network, address) {
        case (.v4(let net), .v4(let value)):
            return value & Self.mask32(prefixLength) == net
        case (.v6(let net), .v6(let value)):
            return value & Self.mask128(prefixLength) == net
        default:
            return false
        }
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static func mask32(_ prefix: Int) -> UInt32 {
        prefix <= 0 ? 0 : ~UInt32(0) << UInt32(32 - min(prefix, 32))
    }

    private static func mask128(_ prefix: Int) -> UInt128 {
        prefix <= 0 ? 0 : ~UInt128(0) << UInt128(128 - min(prefix, 128))
    }
}

/// A CIDR range that could not be read, with the reason.
public struct CIDRError: Error, Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String {
        "\"\(text)\" is not a CIDR range: \(reason); write ranges like 10.0.0.0/8 or fd00::/8"
    }
}
