/// A shopper's or user's email address, checked the way a mail system would accept it for
/// delivery: `local@domain`, a dot-atom local part (RFC 5321 §4.1.2), a domain of LDH labels
/// with a dot, length limits of RFC 5321 §4.5.3.1. Stored lowercased in the domain only.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let input: String
        public let reason: String
        public var description: String { "'\(input)' is not a usable email address: \(reason)" }
    }

    private static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~".utf8)

    public init(_ raw: String) throws(Invalid) {
        let text = raw.trimmingWhitespace
        func fail(_ reason: String) -> Invalid { Invalid(input: raw, reason: reason) }
        guard text.utf8.count <= 254 else { throw fail("longer than 254 characters") }
        guard let at = text.utf8.lastIndex(of: UInt8(ascii: "@")) else { throw fail("it has no @") }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64 else { throw fail("the part before @ must be 1 to 64 characters") }
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        guard atoms.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(Self.atext.contains) }) else {
            throw fail("the part before @ has a character or dot that mail servers refuse")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { throw fail("the domain must have a dot, like example.com") }
        for label in labels {
            guard (1...63).contains(label.utf8.count),
                  label.utf8.allSatisfy({ Self.isLDH($0) }),
                  label.first != "-", label.last != "-"
            else { throw fail("the domain '\(domain)' is not a valid host name") }
        }
        guard let tld = labels.last, !tld.allSatisfy(\.isNumber) else { throw fail("the domain must end in a name, not a number") }
        value = "\(local)@\(domain.lowercased())"
    }

    private static func isLDH(_ byte: UInt8) -> Bool {
        (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 45
    }

    /// Comparison form for lookups: case-insensitive as shoppers type it.
    public var lookupKey: String { value.lowercased() }
}

extension StringProtocol {
    /// The string without leading and trailing white space or newlines.
    public var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
