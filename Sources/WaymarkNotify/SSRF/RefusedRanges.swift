/// Why an address is not on the public internet.
public enum AddressCategory: String, Sendable, Hashable, CaseIterable {
    case loopback
    case privateNetwork
    case linkLocal
    case sharedCGNAT
    case unspecified
    case multicast
    case broadcast
    case uniqueLocal
    case benchmarking
    case documentation
    case ietfProtocolAssignment
    case reserved

    /// The phrase used in error messages ("… is a loopback address").
    public var phrase: String {
        switch self {
        case .loopback: "a loopback address"
        case .privateNetwork: "a private network address"
        case .linkLocal: "a link-local address (this includes cloud metadata services)"
        case .sharedCGNAT: "a carrier-grade NAT (shared) address"
        case .unspecified: "an unspecified (\"this host\") address"
        case .multicast: "a multicast address"
        case .broadcast: "the broadcast address"
        case .uniqueLocal: "a unique-local (private) IPv6 address"
        case .benchmarking: "a benchmarking address"
        case .documentation: "a documentation-only address"
        case .ietfProtocolAssignment: "an IETF protocol-assignment address"
        case .reserved: "a reserved address"
        }
    }
}

/// The verdict on one address: which refused range it falls in, and, when an IPv6 address
/// carries an IPv4 address inside it (mapped, NAT64, 6to4, Teredo), that inner address.
public struct AddressRefusal: Sendable, Hashable {
    public let address: IPAddress
    public let category: AddressCategory
    public let embeddedIPv4: IPAddress?

    /// "127.0.0.1, a loopback address" or "::ffff:7f00:1, which carries 127.0.0.1, a loopback address".
    public var explanation: String {
        if let embeddedIPv4 {
            return "\(address), which carries \(embeddedIPv4), \(category.phrase)"
        }
        return "\(address), \(category.phrase)"
    }
}

/// The one rule for "may Waymark connect to this address?", used at save time for IP literals
/// and at send time for every resolved address.
enum RefusedRanges {
    /// Order matters only for the message: the narrower range (broadcast) comes before the wider
    /// one that also covers it (reserved 240/4).
    static let ipv4: [(CIDR, AddressCategory)] = [
        (CIDR(v4: 0x0000_0000, prefix: 8), .unspecified),
        (CIDR(v4: 0x0A00_0000, prefix: 8), .privateNetwork),
        (CIDR(v4: 0x6440_0000, prefix: 10), .sharedCGNAT),
        (CIDR(v4: 0x7F00_0000, prefix: 8), .loopback),
        (CIDR(v4: 0xA9FE_0000, prefix: 16), .linkLocal),
        (CIDR(v4: 0xAC10_0000, prefix: 12), .privateNetwork),
        (CIDR(v4: 0xC000_0000, prefix: 24), .ietfProtocolAssignment),
        (CIDR(v4: 0xC000_0200, prefix: 24), .documentation),
        (CIDR(v4: 0xC0A8_0000, prefix: 16), .privateNetwork),
        (CIDR(v4: 0xC612_0000, prefix: 15), .benchmarking),
        (CIDR(v4: 0xC633_6400, prefix: 24), .documentation),
        (CIDR(v4: 0xCB00_7100, prefix: 24), .documentation),
        (CIDR(v4: 0xE000_0000, prefix: 4), .multicast),
        (CIDR(v4: 0xFFFF_FFFF, prefix: 32), .broadcast),
        (CIDR(v4: 0xF000_0000, prefix: 4), .reserved),
    ]

    static let ipv6: [(CIDR, AddressCategory)] = [
        (CIDR(v6: 0, prefix: 128), .unspecified),
        (CIDR(v6: 1, prefix: 128), .loopback),
        (CIDR(v6: 0xFE80 << 112, prefix: 10), .linkLocal),
        (CIDR(v6: 0xFEC0 << 112, prefix: 10), .privateNetwork),  // deprecated site-local
        (CIDR(v6: 0xFC00 << 112, prefix: 7), .uniqueLocal),
        (CIDR(v6: 0xFF00 << 112, prefix: 8), .multicast),
        (CIDR(v6: 0x2001_0DB8 << 96, prefix: 32), .documentation),
        (CIDR(v6: 0x3FFF << 112, prefix: 20), .documentation),
        (CIDR(v6: 0x2001_0002 << 96, prefix: 48), .benchmarking),
        (CIDR(v6: 0x0100 << 112, prefix: 64), .reserved),  // discard-only
        (CIDR(v6: 0x0064_FF9B_0001 << 80, prefix: 48), .privateNetwork),  // local-use NAT64
    ]

    static func refusal(for address: IPAddress, policy: OutboundPolicy) -> AddressRefusal? {
        if policy.allows(address) { return nil }
        switch address {
        case .v4:
            guard let category = ipv4.first(where: { $0.0.contains(address) })?.1 else { return nil }
            return AddressRefusal(address: address, category: category, embeddedIPv4: nil)
        case .v6(let value):
            if let category = ipv6.first(where: { $0.0.contains(address) })?.1 {
                return AddressRefusal(address: address, category: category, embeddedIPv4: nil)
            }
            if let inner = embeddedIPv4(value), let innerRefusal = refusal(for: .v4(inner), policy: policy) {
                return AddressRefusal(address: address, category: innerRefusal.category, embeddedIPv4: .v4(inner))
            }
            return nil
        }
    }

    /// The IPv4 address an IPv6 address stands for, for the forms a network may translate or
    /// tunnel to that IPv4 address.
    static func embeddedIPv4(_ value: UInt128) -> UInt32? {
        let low32 = UInt32(truncatingIfNeeded: value)
        let high96 = value >> 32
        switch true {
        case high96 == 0xFFFF:  // ::ffff:a.b.c.d, IPv4-mapped
            return low32
        case high96 == 0:  // ::a.b.c.d, IPv4-compatible (deprecated but still parsed)
            return low32
        case high96 == 0xFFFF_0000:  // ::ffff:0:a.b.c.d, SIIT
            return low32
        case high96 == 0x0064_FF9B_0000_0000_0000_0000:  // 64:ff9b::/96, NAT64
            return low32
        case value >> 112 == 0x2002:  // 2002:AABB:CCDD::/48, 6to4
            return UInt32(truncatingIfNeeded: value >> 80)
        case value >> 96 == 0x2001_0000:  // 2001:0::/32, Teredo: the client address, inverted
            return ~low32
        default:
            return nil
        }
    }
}
