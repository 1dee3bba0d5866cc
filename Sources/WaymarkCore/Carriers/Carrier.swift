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

/// The carriers Waymark knows, by code.
public enum CarrierRegistry {
    public static let all: [Carrier] = [
        Carrier(code: "ups", name: "UPS", country: "US", trackingURLTemplate: "https://www.ups.com/track?tracknum={number}"),
        Carrier(code: "usps", name: "USPS", country: "US", trackingURLTemplate: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
        Carrier(code: "fedex", name: "FedEx", country: "US", trackingURLTemplate: "https://www.fedex.com/fedextrack/?trknbr={number}"),
        Carrier(code: "dhl", name: "DHL Express", country: "DE", trackingURLTemplate: "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id={number}"),
        Carrier(code: "dhl-ecommerce", name: "DHL eCommerce", country: "US", trackingURLTemplate: "https://www.dhl.com/us-en/home/tracking/tracking-ecommerce.html?tracking-id={number}"),
        Carrier(code: "dhl-paket", name: "DHL Paket", country: "DE", trackingURLTemplate: "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}"),
        Carrier(code: "amazon", name: "Amazon Shipping", country: "US", trackingURLTemplate: "https://track.amazon.com/tracking/{number}"),
        Carrier(code: "ontrac", name: "OnTrac", country: "US", trackingURLTemplate: "https://www.ontrac.com/tracking/?number={number}"),
        Carrier(code: "lasership", name: "LaserShip", country: "US", trackingURLTemplate: "https://www.lasership.com/track/{number}"),
        Carrier(code: "canada-post", name: "Canada Post", country: "CA", trackingURLTemplate: "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}"),
        Carrier(code: "canpar", name: "Canpar Express", country: "CA", trackingURLTemplate: "https://www.canpar.com/en/tracking/track.htm?barcode={number}"),
        Carrier(code: "purolator", name: "Purolator", country: "CA", trackingURLTemplate: "https://www.purolator.com/en/shipping/tracker?pin={number}"),
        Carrier(code: "dpd", name: "DPD", country: nil, trackingURLTemplate: "https://tracking.dpd.de/parcelstatus?query={number}"),
        Carrier(code: "yodel", name: "Yodel", country: "GB", trackingURLTemplate: "https://www.yodel.co.uk/tracking/{number}"),
        Carrier(code: "yunexpress", name: "YunExpress", country: "CN", trackingURLTemplate: "https://www.yuntrack.com/parcelTracking?id={number}"),
        Carrier(code: "landmark", name: "Landmark Global", country: nil, trackingURLTemplate: "https://track.landmarkglobal.com/?search={number}"),
        Carrier(code: "royal-mail", name: "Royal Mail", country: "GB", trackingURLTemplate: "https://www.royalmail.com/track-your-item#/tracking-results/{number}"),
        Carrier(code: "la-poste", name: "La Poste Colissimo", country: "FR", trackingURLTemplate: "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
        Carrier(code: "china-post", name: "China Post", country: "CN", trackingURLTemplate: "https://track.chinapost.com.cn/?num={number}"),
        Carrier(code: "postnl", name: "PostNL", country: "NL", trackingURLTemplate: "https://jouw.postnl.nl/track-and-trace/{number}"),
        Carrier(code: "japan-post", name: "Japan Post", country: "JP", trackingURLTemplate: "https://trackings.post.japanpost.jp/services/srv/search/?requestNo1={number}"),
        Carrier(code: "correos", name: "Correos", country: "ES", trackingURLTemplate: "https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}"),
        Carrier(code: "poste-italiane", name: "Poste Italiane", country: "IT", trackingURLTemplate: "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}"),
        Carrier(code: "inpost", name: "InPost", country: "PL", trackingURLTemplate: "https://inpost.pl/sledzenie-przesylek?number={number}"),
        Carrier(code: "correios", name: "Correios", country: "BR", trackingURLTemplate: "https://rastreamento.correios.com.br/app/index.php?objeto={number}"),
    ]

    private static let byCode: [String: Carrier] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    public static func carrier(code: String) -> Carrier? { byCode[code.lowercased()] }
}
