import WaymarkCore

/// Builds a city-level `Place` from a provider's location fields.
enum ProviderPlace {
    /// Trims each field and drops empty ones. A two-letter country becomes uppercase ISO 3166-1
    /// alpha-2, a common three-letter code its alpha-2 equivalent; other country text stays as
    /// given. `freeText` (a provider's one-line location) stands in for the city when the
    /// provider gives no structured field.
    static func make(city: String? = nil, region: String? = nil, country: String? = nil, freeText: String? = nil) -> Place {
        let city = cleaned(city), region = cleaned(region), country = cleaned(country).map(countryCode)
        if city == nil, region == nil, country == nil { return Place(city: cleaned(freeText)) }
        return Place(city: city, region: region, country: country)
    }

    static func countryCode(_ text: String) -> String {
        let upper = text.uppercased()
        guard upper.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else { return text }
        if upper.count == 2 { return upper }
        if upper.count == 3, let alpha2 = alpha3ToAlpha2[upper] { return alpha2 }
        return text
    }

    private static func cleaned(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingWhitespace, !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// ISO 3166-1 alpha-3 codes seen in carrier feeds (AfterShip sends alpha-3), with alpha-2.
    static let alpha3ToAlpha2: [String: String] = [
        "USA": "US", "CAN": "CA", "MEX": "MX", "BRA": "BR", "ARG": "AR", "CHL": "CL", "COL": "CO", "PER": "PE",
        "GBR": "GB", "IRL": "IE", "DEU": "DE", "FRA": "FR", "NLD": "NL", "BEL": "BE", "LUX": "LU", "ESP": "ES",
        "PRT": "PT", "ITA": "IT", "CHE": "CH", "AUT": "AT", "DNK": "DK", "SWE": "SE", "NOR": "NO", "FIN": "FI",
        "ISL": "IS", "POL": "PL", "CZE": "CZ", "SVK": "SK", "HUN": "HU", "ROU": "RO", "BGR": "BG", "GRC": "GR",
        "HRV": "HR", "SVN": "SI", "EST": "EE", "LVA": "LV", "LTU": "LT", "UKR": "UA", "TUR": "TR", "ISR": "IL",
        "ARE": "AE", "SAU": "SA", "EGY": "EG", "ZAF": "ZA", "NGA": "NG", "KEN": "KE", "MAR": "MA", "IND": "IN",
        "PAK": "PK", "BGD": "BD", "CHN": "CN", "HKG": "HK", "MAC": "MO", "TWN": "TW", "JPN": "JP", "KOR": "KR",
        "SGP": "SG", "MYS": "MY", "THA": "TH", "VNM": "VN", "IDN": "ID", "PHL": "PH", "AUS": "AU", "NZL": "NZ",
    ]
}
