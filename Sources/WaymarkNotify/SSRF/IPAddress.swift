/// An IPv4 or IPv6 address as a number, so ranges are plain bit masks and every spelling of
/// the same address compares equal.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// Parses the canonical spellings only: dotted decimal with four parts (no leading zeros,
    /// so `010.0.0.1` can't mean two things) or an IPv6 address without brackets or zone.
    /// Used for configuration and for resolver answers; URL hosts go through `parseURLHost`.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        if text.contains(":") {
            guard let value = Self.parseIPv6(text) else { return nil }
            self = .v6(value)
        } else {
            guard let value = Self.parseStrictIPv4(text) else { return nil }
            self = .v4(value)
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return Self.dotted(value)
        case .v6(let value):
            return Self.formatIPv6(value)
        }
    }

    static func dotted(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }

    // MARK: IPv4

    static func parseStrictIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit),
                  part.count == 1 || part.first != "0",
                  let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    /// What a URL host that might be a legacy IPv4 spelling turned out to be.
    enum LegacyIPv4 {
        /// Not numeric: a DNS name.
        case name
        /// Looks like a number (so every HTTP client would treat it as an address) but is not a
        /// valid one; it must be refused rather than looked up as a name.
        case invalid
        case address(UInt32)
    }

    /// Reads a host the way `inet_aton` and the WHATWG URL standard do: one to four parts, each
    /// decimal, octal (leading `0`) or hex (`0x`), the last part filling the remaining bytes.
    /// This is why `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` all mean 127.0.0.1.
    static func parseLegacyIPv4(_ host: Substring) -> LegacyIPv4 {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard let last = parts.last, Self.looksNumeric(last) else { return .name }
        guard (1...4).contains(parts.count) else { return .invalid }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = Self.parseLegacyNumber(part) else { return .invalid }
            numbers.append(number)
        }
        var value: UInt64 = 0
        for number in numbers.dropLast() {
            guard number <= 255 else { return .invalid }
            value = value << 8 | number
        }
        let remainingBytes = UInt64(5 - numbers.count)
        let lastNumber = numbers[numbers.count - 1]
        guard lastNumber < (UInt64(1) << (8 * remainingBytes)) else { return .invalid }
        value = value << (8 * remainingBytes) | lastNumber
        return .address(UInt32(truncatingIfNeeded: value))
    }

    private static func looksNumeric(_ part: Substring) -> Bool {
        if part.isEmpty { return false }
        if part.allSatisfy(\.isASCIIDigit) { return true }
        let lower = part.lowercased()
        return lower.hasPrefix("0x") && lower.dropFirst(2).allSatisfy(\.isASCIIHexDigit)
    }

    private static func parseLegacyNumber(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix = 10
        if digits.count >= 2, digits.first == "0", let second = digits.dropFirst().first,
           second == "x" || second == "X" {
            digits = digits.dropFirst(2)
            radix = 16
            if digits.isEmpty { return 0 }
        } else if digits.count >= 2, digits.first == "0" {
            digits = digits.dropFirst()
            radix = 8
        }
        // Longer than any 32-bit number can be spelled: refuse instead of overflowing. Signs,
        // which the integer parser would accept, are not digits here.
        guard digits.count <= 32,
              digits.allSatisfy({ radix == 16 ? $0.isASCIIHexDigit : $0.isASCIIDigit })
        else { return nil }
        return UInt64(digits, radix: radix)
    }

    // MARK: IPv6

    static func parseIPv6(_ text: Substring) -> UInt128? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var groups: [UInt16]
        if let gap = text.firstRange(of: "::") {
            let head = text[..<gap.lowerBound]
            let tail = text[gap.upperBound...]
            guard !tail.contains("::"),
                  let headGroups = parseGroups(head, allowsIPv4Tail: false),
                  let tailGroups = parseGroups(tail, allowsIPv4Tail: true),
                  headGroups.count + tailGroups.count <= 7
            else { return nil }
            groups = headGroups
            groups += Array(repeating: 0, count: 8 - headGroups.count - tailGroups.count)
            groups += tailGroups
        } else {
            guard let all = parseGroups(text, allowsIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    private static func parseGroups(_ text: Substring, allowsIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if piece.contains(".") {
                guard allowsIPv4Tail, index == pieces.count - 1,
                      let v4 = parseStrictIPv4(piece)
                else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
            } else {
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isASCIIHexDigit),
                      let group = UInt16(piece, radix: 16)
                else { return nil }
                groups.append(group)
            }
        }
        return groups
    }

    /// RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`.
    static func formatIPv6(_ value: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
    var isASCIIHexDigit: Bool { isASCII && isHexDigit }
}
