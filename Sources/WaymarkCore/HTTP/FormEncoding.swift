import Foundation

/// `application/x-www-form-urlencoded`, as HTML forms, mail clients' one-click unsubscribes and
/// Twilio write it: `name=value` pairs joined by `&`, percent-encoded, space as `+`.
public enum FormEncoding {
    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// The fields in the order sent (a name may repeat). A part that is not valid
    /// percent-encoding is kept as written.
    public static func decode(_ body: String) -> [(String, String)] {
        body.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.map(unescape) else { return nil }
            return (name, parts.count > 1 ? unescape(parts[1]) : "")
        }
    }

    static func escape(_ text: String) -> String {
        (text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text).replacingOccurrences(of: "%20", with: "+")
    }

    static func unescape(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// ASCII letters and digits and `-._*`: everything else, non-ASCII letters included, is encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*")
}
