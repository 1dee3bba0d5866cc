/// National postal operators, the issuers of UPU S10 numbers (`RB123456785GB`): the last two
/// letters name the country, and the country names the operator.
enum PostalOperators {
    /// Where an operator's own site takes no number in its address (or we have not confirmed that
    /// it does), 17TRACK's page follows any S10 number across every postal network.
    static let universalTrackingURL = "https://t.17track.net/en#nums={number}"

    /// The operators people ship with most, by name. Each one's country is the S10 code it issues.
    static let named: [Carrier] = [
        post("royal-mail", "Royal Mail", "GB", "https://www.royalmail.com/track-your-item#/tracking-results/{number}"),
        post("la-poste", "La Poste Colissimo", "FR", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
        post("deutsche-post", "Deutsche Post", "DE", "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={number}"),
        post("china-post", "China Post", "CN", "https://track.chinapost.com.cn/?num={number}"),
        post("postnl", "PostNL", "NL", "https://jouw.postnl.nl/track-and-trace/{number}"),
        post("japan-post", "Japan Post", "JP", "https://trackings.post.japanpost.jp/services/srv/search/?requestNo1={number}"),
        post("correos", "Correos", "ES", "https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}"),
        post("poste-italiane", "Poste Italiane", "IT", "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}"),
        post("correios", "Correios", "BR", "https://rastreamento.correios.com.br/app/index.php?objeto={number}"),
        post("poczta-polska", "Poczta Polska", "PL", "https://emonitoring.poczta-polska.pl/?numer={number}"),
        post("australia-post", "Australia Post", "AU", "https://auspost.com.au/mypost/track/details/{number}"),
        post("nz-post", "NZ Post", "NZ", "https://www.nzpost.co.nz/tools/tracking/item/{number}"),
        post("an-post", "An Post", "IE", "https://www.anpost.com/Post-Parcels/Track/History?item={number}"),
        post("bpost", "bpost", "BE", "https://track.bpost.cloud/btr/web/#/search?itemCode={number}"),
        post("swiss-post", "Swiss Post", "CH", "https://service.post.ch/ekp-web/ui/entry/search/{number}"),
        post("austrian-post", "Österreichische Post", "AT", "https://www.post.at/s/sendungsdetails?snr={number}"),
        post("postnord-se", "PostNord Sweden", "SE", "https://tracking.postnord.com/se/?id={number}"),
        post("postnord-dk", "PostNord Denmark", "DK", "https://tracking.postnord.com/dk/?id={number}"),
        post("posten-norge", "Posten Norge", "NO", "https://sporing.posten.no/sporing/{number}"),
        post("posti", "Posti", "FI", "https://www.posti.fi/en/tracking#/lahetys/{number}"),
        post("iceland-post", "Iceland Post", "IS"),
        post("ctt", "CTT Correios de Portugal", "PT", "https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects={number}"),
        post("post-luxembourg", "POST Luxembourg", "LU"),
        post("elta", "ELTA Hellenic Post", "GR"),
        post("ceska-posta", "Česká pošta", "CZ", "https://www.postaonline.cz/trackandtrace/-/zasilka/cislo?parcelNumbers={number}"),
        post("slovenska-posta", "Slovenská pošta", "SK"),
        post("magyar-posta", "Magyar Posta", "HU", "https://posta.hu/nyomkovetes/nyitooldal?searchvalue={number}"),
        post("posta-romana", "Poșta Română", "RO"),
        post("bulgarian-posts", "Bulgarian Posts", "BG"),
        post("hrvatska-posta", "Hrvatska pošta", "HR"),
        post("posta-slovenije", "Pošta Slovenije", "SI"),
        post("posta-srbije", "Pošta Srbije", "RS"),
        post("omniva", "Omniva", "EE"),
        post("latvijas-pasts", "Latvijas Pasts", "LV"),
        post("lietuvos-pastas", "Lietuvos paštas", "LT"),
        post("maltapost", "MaltaPost", "MT"),
        post("cyprus-post", "Cyprus Post", "CY"),
        post("ukrposhta", "Ukrposhta", "UA", "https://track.ukrposhta.ua/tracking_UA.html?barcode={number}"),
        post("russian-post", "Russian Post", "RU", "https://www.pochta.ru/tracking#{number}"),
        post("belpochta", "Belpochta", "BY"),
        post("kazpost", "Kazpost", "KZ"),
        post("ptt", "PTT", "TR"),
        post("israel-post", "Israel Post", "IL", "https://israelpost.co.il/en/itemtrace?itemcode={number}"),
        post("emirates-post", "Emirates Post", "AE"),
        post("saudi-post", "Saudi Post (SPL)", "SA"),
        post("egypt-post", "Egypt Post", "EG"),
        post("south-african-post-office", "South African Post Office", "ZA"),
        post("nipost", "NIPOST", "NG"),
        post("posta-kenya", "Posta Kenya", "KE"),
        post("poste-maroc", "Poste Maroc", "MA"),
        post("correos-de-mexico", "Correos de México", "MX"),
        post("correo-argentino", "Correo Argentino", "AR"),
        post("correos-chile", "Correos de Chile", "CL"),
        post("4-72", "4-72", "CO"),
        post("serpost", "Serpost", "PE"),
        post("hongkong-post", "Hongkong Post", "HK"),
        post("singpost", "SingPost", "SG"),
        post("korea-post", "Korea Post", "KR"),
        post("chunghwa-post", "Chunghwa Post", "TW"),
        post("india-post", "India Post", "IN"),
        post("thailand-post", "Thailand Post", "TH", "https://track.thailandpost.co.th/?trackNumber={number}"),
        post("pos-malaysia", "Pos Malaysia", "MY"),
        post("pos-indonesia", "Pos Indonesia", "ID"),
        post("phlpost", "PHLPost", "PH"),
        post("vietnam-post", "Vietnam Post", "VN"),
        post("pakistan-post", "Pakistan Post", "PK"),
        post("bangladesh-post", "Bangladesh Post", "BD"),
        post("sri-lanka-post", "Sri Lanka Post", "LK"),
    ]

    /// National operators that are in the registry as parcel carriers already.
    private static let couriersByCountry = ["US": "usps", "CA": "canada-post"]

    /// "<Country> postal service" (code `post-xx`) for every other country with a postal service.
    static let generic: [Carrier] = {
        let covered = Set(named.compactMap(\.country)).union(couriersByCountry.keys)
        return CountryNames.byCode.keys.sorted().filter { !covered.contains($0) }.compactMap { code in
            CountryNames.byCode[code].map { name in
                Carrier(code: "post-\(code.lowercased())", name: "\(name) postal service", country: code, trackingURLTemplate: universalTrackingURL)
            }
        }
    }()

    /// ISO country code to the code of its operator.
    static let codeByCountry: [String: String] = {
        var table = couriersByCountry
        for carrier in named + generic {
            if let country = carrier.country { table[country] = carrier.code }
        }
        return table
    }()

    private static func post(_ code: String, _ name: String, _ country: String, _ trackingURL: String = universalTrackingURL) -> Carrier {
        Carrier(code: code, name: name, country: country, trackingURLTemplate: trackingURL)
    }
}
