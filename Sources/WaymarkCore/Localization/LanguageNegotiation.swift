/// The languages the shopper pages are translated into, and how a request picks one.
public enum ShopperLanguage {
    /// BCP 47 tags, in the order the language menu lists them.
    public static let supported = ["en", "es", "fr", "de", "it", "pt", "nl", "pl", "ja", "zh-Hans"]

    /// Picks the page language: an explicit `?lang=` first, then the browser's
    /// `Accept-Language` preferences by q-value, then the tenant's default, then English.
    public static func negotiate(query: String?, acceptLanguage: String?, tenantDefault: String?) -> String {
        if let query, let match = match(query) { return match }
        if let acceptLanguage {
            for tag in preferences(acceptLanguage) {
                if let match = match(tag) { return match }
            }
        }
        if let tenantDefault, let match = match(tenantDefault) { return match }
        return "en"
    }

    /// Maps any tag (`de-AT`, `zh-CN`, `zh-Hans-SG`, `PT_br`) to a supported language, or nil.
    public static func match(_ tag: String) -> String? {
        // A supported tag as it is (a tenant's default, the language menu's links) needs no parsing.
        if let exact = supported.first(where: { $0 == tag }) { return exact }
        let parts = tag.trimmingWhitespace.replacing("_", with: "-").lowercased().split(separator: "-")
        guard let primary = parts.first else { return nil }
        if primary == "zh" {
            // Traditional Chinese is not translated; don't show Simplified to those readers.
            let traditional = parts.contains("hant") || parts.contains("tw") || parts.contains("hk") || parts.contains("mo")
            return traditional ? nil : "zh-Hans"
        }
        return supported.first { $0 == primary }
    }

    /// `Accept-Language` tags, most preferred first, without `*` or q=0 entries.
    static func preferences(_ header: String) -> [String] {
        var weighted: [(tag: String, q: Double, order: Int)] = []
        for (order, item) in header.split(separator: ",").prefix(32).enumerated() {
            let fields = item.split(separator: ";")
            guard let tag = fields.first?.trimmingWhitespace, !tag.isEmpty, tag != "*" else { continue }
            var q = 1.0
            for parameter in fields.dropFirst() {
                let pair = parameter.trimmingWhitespace.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == "q", let value = Double(pair[1]) { q = value }
            }
            if q > 0 { weighted.append((tag, q, order)) }
        }
        return weighted.sorted { $0.q != $1.q ? $0.q > $1.q : $0.order < $1.order }.map(\.tag)
    }
}

/// The languages the merchant admin is translated into (a subset of the shopper pages', from
/// the same catalog), and how a request picks one.
public enum AdminLanguage {
    public static let supported = ["en", "de", "ja"]

    /// An explicit `?lang=` first, then the language chosen before (a cookie), then the browser's
    /// preferences, then English.
    public static func negotiate(query: String?, remembered: String?, acceptLanguage: String?) -> String {
        for candidate in [query, remembered] {
            if let candidate, let match = match(candidate) { return match }
        }
        for tag in ShopperLanguage.preferences(acceptLanguage ?? "") {
            if let match = match(tag) { return match }
        }
        return "en"
    }

    public static func match(_ tag: String) -> String? {
        ShopperLanguage.match(tag).flatMap { supported.contains($0) ? $0 : nil }
    }
}
