/// The carriers Waymark knows, by code: parcel carriers, and the postal operator of every country
/// that issues UPU S10 numbers.
public enum CarrierRegistry {
    /// Parcel carriers and couriers. USPS and Canada Post are national postal operators as well.
    static let couriers: [Carrier] = [
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
        Carrier(code: "inpost", name: "InPost", country: "PL", trackingURLTemplate: "https://inpost.pl/sledzenie-przesylek?number={number}"),
        Carrier(code: "gofo", name: "GOFO Express", country: "US", trackingURLTemplate: "https://www.gofoexpress.com/tracking.html?searchID={number}"),
        Carrier(code: "speedee", name: "Spee-Dee Delivery", country: "US", trackingURLTemplate: "https://www.speedeedelivery.com/track/?tracking={number}"),
        Carrier(code: "old-dominion", name: "Old Dominion Freight Line", country: "US", trackingURLTemplate: "https://www.odfl.com/us/en/tools/trace-track-ltl-freight/trace.html?proNumbers={number}"),
    ]

    /// Every carrier: the parcel carriers, then the postal operators by country.
    public static let all: [Carrier] = couriers + PostalOperators.named + PostalOperators.generic

    private static let byCode: [String: Carrier] = Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    public static func carrier(code: String) -> Carrier? { byCode[code.lowercased()] }

    /// The national postal operator of a country (ISO 3166-1 alpha-2, uppercase): the issuer of
    /// S10 numbers ending in that code. Nil for codes that name no country with a postal service.
    public static func postalOperator(country: String) -> Carrier? {
        PostalOperators.codeByCountry[country].flatMap { byCode[$0] }
    }
}
