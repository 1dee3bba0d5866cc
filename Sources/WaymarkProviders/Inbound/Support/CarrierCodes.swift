import WaymarkCore

/// Maps providers' carrier names (`royal-mail`, `RoyalMail`, `royal_mail`, `DHLExpress`,
/// `dhl-germany`, ...) to Waymark `CarrierRegistry` codes.
enum CarrierCodes {
    /// The Waymark code for a provider's carrier slug or name, or nil when it is not one we know.
    static func waymarkCode(for slug: String?) -> String? {
        guard let slug else { return nil }
        return byKey[key(slug)]
    }

    /// Case, hyphens, underscores and spaces are how providers differ in spelling the same name.
    private static func key(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.map(Character.init))
    }

    /// Providers' names for carriers whose Waymark code they do not spell the same way.
    private static let aliases: [String: String] = [
        "dhlexpress": "dhl", "dhlglobalmail": "dhl-ecommerce", "dhlgermany": "dhl-paket", "amazonshipping": "amazon",
        "unitedstatespostalservice": "usps", "fedexground": "fedex", "landmarkglobal": "landmark",
        "lapostecolissimo": "la-poste", "colissimo": "la-poste", "postnl3s": "postnl", "postnlinternational": "postnl",
        "spaincorreoses": "correos", "inpostpaczkomaty": "inpost", "brazilcorreios": "correios", "dpduk": "dpd",
    ]

    private static let byKey: [String: String] = {
        var table = aliases
        for carrier in CarrierRegistry.all { table[key(carrier.code)] = carrier.code }
        return table
    }()
}
