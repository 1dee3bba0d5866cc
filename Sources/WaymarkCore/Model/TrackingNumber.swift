/// What a tracking number may be, for every way one enters Waymark: the API, the CLI, CSV
/// import, auto-create from a provider's webhook, and so what registration sends on.
///
/// Carriers and providers print numbers with spaces (`1Z 999 AA1 01 2345 6784`), hyphens,
/// dots and underscores (Shippo's test numbers are `SHIPPO_DELIVERED` and its siblings). White
/// space is dropped and letters are uppercased, the form numbers are stored and matched in; the
/// separators are kept, since some carriers' formats include them. Only what cannot be a tracking
/// number is refused: nothing left, more than `maxLength` characters, or characters no carrier
/// uses.
public enum TrackingNumber {
    public static let maxLength = 64
    /// The punctuation carriers and providers write inside numbers.
    public static let separators: [Unicode.Scalar] = ["-", "_", ".", "/"]

    /// The stored and compared form: without white space, letters in uppercase.
    public static func compact(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace {
            result.unicodeScalars.append(("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32) ?? scalar : scalar)
        }
        return result
    }

    /// The compact form of `text`, or why it cannot be a tracking number.
    public static func validated(_ text: String, field: String = "tracking_number") throws(ValidationError) -> String {
        let number = compact(text)
        if let reason = problem(compact: number) { throw ValidationError(reason, field: field) }
        return number
    }

    /// Why an already compact number breaks the rule, or nil.
    static func problem(compact number: String) -> String? {
        guard let first = number.unicodeScalars.first else { return "is required" }
        if number.unicodeScalars.count > maxLength { return "must be at most \(maxLength) characters, not counting spaces" }
        if let bad = number.unicodeScalars.first(where: { !isAllowed($0) }) {
            return "must hold only letters A-Z, digits and the separators \(separatorList), not '\(Character(bad))'"
        }
        if !isAlphanumeric(first) { return "must start with a letter or a digit" }
        return nil
    }

    public static var separatorList: String { separators.map { String($0) }.joined(separator: " ") }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || separators.contains(scalar)
    }

    /// The same rule as a regular expression over the text as sent, spaces included (for schemas).
    public static var pattern: String {
        let escaped = separators.map { $0 == "-" ? "\\-" : String($0) }.joined()
        return "^[A-Za-z0-9][A-Za-z0-9 \(escaped)]{0,\(maxLength - 1)}$"
    }
}
