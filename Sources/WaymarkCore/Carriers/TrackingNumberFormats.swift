/// One way a carrier writes its tracking numbers: the shape, who issued it and, where the format
/// has one, how its check digit is derived.
struct TrackingNumberFormat: Sendable {
    /// Who a number of this format belongs to.
    enum Issuer: Sendable {
        /// A carrier in `CarrierRegistry`, by code.
        case carrier(String)
        /// The national postal operator of the captured country code (UPU S10 numbers).
        case postalOperatorOfCountry
    }

    let name: String
    let issuer: Issuer
    let pattern: NumberPattern
    let checkDigit: CheckDigitRule?
    /// Put in front of the serial for the check digit unless the serial already starts with it: the
    /// number leaves out digits its check digit was computed over (OnTrac's C stands for a 4,
    /// USPS drops the 91 application identifier).
    let serialPrefix: String?
    let lengths: ClosedRange<Int>

    init(_ name: String, _ issuer: Issuer, _ pattern: [NumberPattern], checkDigit: CheckDigitRule? = nil, serialPrefix: String? = nil) {
        self.name = name
        self.issuer = issuer
        self.pattern = .sequence(pattern)
        self.checkDigit = checkDigit
        self.serialPrefix = serialPrefix
        lengths = self.pattern.lengths
    }

    init(_ name: String, carrier code: String, _ pattern: [NumberPattern], checkDigit: CheckDigitRule? = nil, serialPrefix: String? = nil) {
        self.init(name, .carrier(code), pattern, checkDigit: checkDigit, serialPrefix: serialPrefix)
    }

    /// What a number of this shape tells: its carrier, and whether its check digit is right (true
    /// for formats without one). Nil when the number does not have this shape or its issuer is
    /// unknown, like an S10 number from a country code no postal operator has.
    func evaluate(_ number: [UInt8]) -> (carrier: Carrier, valid: Bool)? {
        guard lengths.contains(number.count), let captures = pattern.wholeMatch(number) else { return nil }
        let carrier: Carrier?
        switch issuer {
        case .carrier(let code):
            carrier = CarrierRegistry.carrier(code: code)
        case .postalOperatorOfCountry:
            carrier = captures.countryCode.flatMap { CarrierRegistry.postalOperator(country: Self.text(number, $0)) }
        }
        guard let carrier else { return nil }
        guard let checkDigit else { return (carrier, true) }
        guard let serialRange = captures.serial, let checkRange = captures.checkDigit else { return (carrier, false) }
        var serial = Self.text(number, serialRange)
        if let serialPrefix, !serial.hasPrefix(serialPrefix) { serial = serialPrefix + serial }
        return (carrier, checkDigit.isValid(serial: serial, check: Self.text(number, checkRange)))
    }

    private static func text(_ number: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: number[range], as: UTF8.self)
    }
}

extension TrackingNumberFormat {
    private static let fedExExpressWeights = [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1]
    private static let fedExLongWeights = [1, 7, 3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1]
    private static let uspsMod10 = CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1)

    /// Mailer ID of nine digits (starting with 9) and the package ids that may follow it, or of six
    /// digits and theirs: USPS IMpb numbers have a fixed total length for each.
    private static func uspsMailerAndPackage(nineDigitPackages: [Int], sixDigitPackages: [Int]) -> NumberPattern {
        .oneOf([
            .sequence([.literal("9"), .digits(8), .oneOf(nineDigitPackages.map { .digits($0) })]),
            .sequence([.anyOf("012345678"), .digits(5), .oneOf(sixDigitPackages.map { .digits($0) })]),
        ])
    }

    /// Every format Waymark recognizes, most specific first: those with fixed letters, then long
    /// numeric ones, then short ones, and last the plain 14-digit numbers no check digit protects.
    /// Candidates that are equally valid keep this order.
    static let all: [TrackingNumberFormat] = [
        // UPU S10, e.g. RB123456785GB: service, serial, check digit, the issuing country.
        TrackingNumberFormat(
            "UPU S10", .postalOperatorOfCountry,
            [.letters(2), .serial(.digits(8)), .checkDigit(), .capture(.countryCode, .letters(2))], checkDigit: .s10),

        TrackingNumberFormat("UPS 1Z", carrier: "ups", [.literal("1Z"), .serial(.alphanumerics(15...15)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 2)),
        TrackingNumberFormat("Amazon Logistics", carrier: "amazon", [.literal("TB"), .anyOf("ACM"), .serial(.digits(12))]),
        TrackingNumberFormat("Yodel", carrier: "yodel", [.literal("J"), .optional(.literal("J")), .literal("D"), .serial(.digits(16))]),
        TrackingNumberFormat("YunExpress", carrier: "yunexpress", [.literal("YT"), .serial(.digits(16))]),
        TrackingNumberFormat("Landmark Global LTN", carrier: "landmark", [.literal("LTN"), .serial(.digits(8)), .literal("N1")]),
        TrackingNumberFormat("GOFO Express", carrier: "gofo", [.literal("GFUS"), .serial(.digits(14))]),
        TrackingNumberFormat("Spee-Dee", carrier: "speedee", [.literal("SP"), .serial(.digits(18))]),
        TrackingNumberFormat(
            "LaserShip 1LS7 (18)", carrier: "lasership",
            [.literal("1LS7"), .anyOf("12"), .digits(2), .literal("01"), .anyOf("1234"), .serial(.digits(6)), .literal("-1")]),
        TrackingNumberFormat("LaserShip 1LS7 (15)", carrier: "lasership", [.literal("1LS7"), .anyOf("12"), .digits(4), .serial(.digits(6))]),
        TrackingNumberFormat("LaserShip 1LSCX", carrier: "lasership", [.literal("1LSCX"), .serial(.alphanumerics(10...10))]),
        TrackingNumberFormat("OnTrac C", carrier: "ontrac", [.literal("C"), .serial(.digits(13)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 2), serialPrefix: "4"),
        TrackingNumberFormat("OnTrac D", carrier: "ontrac", [.literal("D"), .serial(.digits(13)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 2), serialPrefix: "5"),
        TrackingNumberFormat("Canpar", carrier: "canpar", [.serial(.anyOf("CDKLSUXZ"), .digits(21))]),
        TrackingNumberFormat("DHL Express piece ID", carrier: "dhl", [.literal("J"), .characters(.letter, count: 2...3), .serial(.digits(9...10))]),
        TrackingNumberFormat("LaserShip L", carrier: "lasership", [.literal("L"), .anyOf("AIEHNX"), .anyOf("123"), .serial(.digits(7))]),
        TrackingNumberFormat(
            "DHL eCommerce", carrier: "dhl-ecommerce",
            [.literals("GM", "LX", "RX", "UV", "CN", "SG", "TH", "IN", "HK", "MY"), .serial(.digits(1), .alphanumerics(9...38))]),
        TrackingNumberFormat("UPS waybill", carrier: "ups", [.anyOf("AHJKTV"), .serial(.digits(9)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 2)),
        TrackingNumberFormat("Amazon international", carrier: "amazon", [.anyOf("AFC"), .serial(.digits(10))]),
        TrackingNumberFormat("Purolator (alpha + 9)", carrier: "purolator", [.serial(.letters(3), .digits(9))]),

        // USPS Intelligent Mail package barcodes, with or without the 420 + ZIP routing prefix.
        TrackingNumberFormat(
            "USPS IMpb 94", carrier: "usps",
            [
                .optional(.sequence([.literal("420"), .digits(5), .remaining([22, 26]), .optional(.sequence([.digits(4), .remaining([22])]))])),
                .serial(.literal("94"), .digits(3), uspsMailerAndPackage(nineDigitPackages: [15, 11, 7], sixDigitPackages: [14, 10])),
                .checkDigit(),
            ],
            checkDigit: .mod10(evenWeight: 3, oddWeight: 1, fromRight: true)),
        TrackingNumberFormat(
            "USPS IMpb 92/93/95", carrier: "usps",
            [
                .optional(.sequence([.literal("420"), .digits(5), .optional(.sequence([.digits(4), .remaining([22])]))])),
                .serial(.oneOf([
                    .sequence([.literal("92"), .digits(3), uspsMailerAndPackage(nineDigitPackages: [11, 7], sixDigitPackages: [])]),
                    .sequence([.literal("93"), .digits(3), uspsMailerAndPackage(nineDigitPackages: [], sixDigitPackages: [14, 10])]),
                    .sequence([.literal("95"), .digits(3), uspsMailerAndPackage(nineDigitPackages: [11, 7], sixDigitPackages: [14, 10])]),
                ])),
                .checkDigit(),
            ],
            checkDigit: uspsMod10),
        TrackingNumberFormat(
            "USPS 91 (legacy)", carrier: "usps",
            [
                .optional(.sequence([.literal("420"), .digits(5), .optional(.digits(4))])),
                .serial(.optional(.literal("91")), .digits(19)),
                .checkDigit(),
            ],
            checkDigit: uspsMod10, serialPrefix: "91"),

        TrackingNumberFormat(
            "FedEx Ground GSN (34)", carrier: "fedex", [.literal("96"), .digits(18), .serial(.digits(13)), .checkDigit()],
            checkDigit: .weightedSum(weights: fedExLongWeights, modulo1: 11, modulo2: 10)),
        TrackingNumberFormat(
            "FedEx Express (34)", carrier: "fedex", [.anyOf("012345678"), .digits(19), .serial(.digits(13)), .checkDigit()],
            checkDigit: .weightedSum(weights: fedExLongWeights, modulo1: 11, modulo2: 10)),
        TrackingNumberFormat(
            "FedEx ASTRA (32)", carrier: "fedex", [.literal("3"), .digits(15), .serial(.digits(11)), .checkDigit(), .digits(4)],
            checkDigit: .weightedSum(weights: fedExExpressWeights, modulo1: 11, modulo2: 10)),
        TrackingNumberFormat("DPD (28)", carrier: "dpd", [.serial(.digits(27)), .checkDigit(.alphanumeric)], checkDigit: .mod37_36),
        TrackingNumberFormat("FedEx Ground 96 (22)", carrier: "fedex", [.literal("96"), .digits(5), .serial(.digits(14)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 3)),
        // DHL Paket: an SSCC behind the GS1 application identifier 00, under DHL's company prefix.
        TrackingNumberFormat("DHL Paket (20)", carrier: "dhl-paket", [.literal("00"), .serial(.literal("3404"), .digits(13)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 3, oddWeight: 1)),
        TrackingNumberFormat("USPS (20)", carrier: "usps", [.serial(.digits(19)), .checkDigit()], checkDigit: uspsMod10),
        TrackingNumberFormat("FedEx Ground SSCC-18", carrier: "fedex", [.digits(2), .serial(.digits(15)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 3, oddWeight: 1)),
        TrackingNumberFormat("Canada Post (16)", carrier: "canada-post", [.serial(.digits(15)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 3, oddWeight: 1)),
        TrackingNumberFormat("FedEx Ground (15)", carrier: "fedex", [.serial(.digits(14)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 1, oddWeight: 3)),
        TrackingNumberFormat("DPD (14)", carrier: "dpd", [.serial(.digits(14)), .checkDigit(.alphanumeric)], checkDigit: .mod37_36),
        TrackingNumberFormat("FedEx Express (12)", carrier: "fedex", [.serial(.digits(11)), .checkDigit()],
                             checkDigit: .weightedSum(weights: fedExExpressWeights, modulo1: 11, modulo2: 10)),
        TrackingNumberFormat("Purolator (12)", carrier: "purolator", [.serial(.anyOf("012345"), .digits(10)), .checkDigit()], checkDigit: .luhn),
        // The Deutsche Post Identcode: weights 4 and 9 from the left.
        TrackingNumberFormat("DHL Paket (12)", carrier: "dhl-paket", [.serial(.digits(11)), .checkDigit()],
                             checkDigit: .mod10(evenWeight: 4, oddWeight: 9)),
        TrackingNumberFormat("Old Dominion PRO", carrier: "old-dominion", [.serial(.literals("777", "778", "072", "780"), .digits(7)), .checkDigit()],
                             checkDigit: .luhn),
        TrackingNumberFormat("Old Dominion guaranteed", carrier: "old-dominion", [.serial(.literal("80"), .digits(8)), .checkDigit()],
                             checkDigit: .luhn),
        TrackingNumberFormat("DHL Express air waybill", carrier: "dhl", [.serial(.digits(9...10)), .checkDigit()], checkDigit: .mod7),
        TrackingNumberFormat("DHL eCommerce (14)", carrier: "dhl-ecommerce", [.serial(.digits(14))]),
    ]
}
