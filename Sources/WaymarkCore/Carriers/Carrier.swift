/// A carrier Waymark knows by name: its code (a lowercase slug used in the API), display name,
/// home country and the public page where anyone can track a number.
public struct Carrier: Hashable, Sendable {
    public let code: String
    public let name: String
    /// ISO 3166-1 alpha-2; nil for carriers without one home market.
    public let country: String?
    /// `{number}` stands for the percent-encoded tracking number.
    public let trackingURLTemplate: String

    public init(code: String, name: String, country: String?, trackingURLTemplate: String) {
        self.code = code
        self.name = name
        self.country = country
        self.trackingURLTemplate = trackingURLTemplate
    }

    /// The carrier's own tracking page for a number.
    public func trackingURL(for number: String) -> String {
        let encoded = number.unicodeScalars.map { scalar -> String in
            let allowed = ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "-_.~".unicodeScalars.contains(scalar)
            return allowed ? String(scalar) : String(scalar).utf8.map { "%" + String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
        }.joined()
        return trackingURLTemplate.replacingOccurrences(of: "{number}", with: encoded)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
