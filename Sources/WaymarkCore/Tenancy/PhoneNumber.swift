/// A shopper's mobile number in E.164 form (`+14155550123`), from what people type: spaces,
/// dashes, dots and parentheses are dropped. One rule for the API's `customer.phone` and the
/// tracking page's "get updates by text" form, so both accept the same numbers.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// `+` and the digits, nothing else.
    public let value: String
    public var description: String { value }

    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        public let input: String
        public var reason: String { "must be an international number like +14155550123" }
        public var description: String { "'\(input)' \(reason)" }
    }

    public init(_ raw: String) throws(Invalid) {
        let digits = raw.trimmingWhitespace.filter { !" -().".contains($0) }
        // E.164: "+", a country code that never starts with 0, at most 15 digits in all; the
        // shortest numbers in use (small territories) have 7.
        guard digits.hasPrefix("+"), (8...16).contains(digits.count), digits.dropFirst().allSatisfy(\.isASCIIDigit),
              digits.dropFirst().first != "0"
        else { throw Invalid(input: raw) }
        value = digits
    }
}
