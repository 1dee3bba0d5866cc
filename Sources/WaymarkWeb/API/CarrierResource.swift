import WaymarkCore

/// A carrier as `GET /api/v1/carriers` lists it.
public struct CarrierResource: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    /// ISO 3166-1 alpha-2; null for carriers without one home market.
    public var country: String?
    /// The carrier's public tracking page, `{number}` standing for the tracking number.
    public var tracking_url_template: String

    public init(_ carrier: Carrier) {
        code = carrier.code
        name = carrier.name
        country = carrier.country
        tracking_url_template = carrier.trackingURLTemplate
    }

    // Written out so that `country` is always present, as null when there is none.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(country, forKey: .country)
        try container.encode(tracking_url_template, forKey: .tracking_url_template)
    }
}

/// The carriers a tracking number may belong to, best first: one answer of
/// `GET /api/v1/carriers/detect` and one element of `waymark detect --json`.
public struct CarrierDetectionResource: Codable, Sendable, Equatable {
    public struct Candidate: Codable, Sendable, Equatable {
        public var carrier: String
        public var name: String
        /// Whether the number has this carrier's format and a right check digit.
        public var valid: Bool
        public var tracking_url: String
    }

    /// The number as it was given.
    public var input: String
    public var candidates: [Candidate]

    public init(detecting input: String) {
        self.input = input
        let number = CarrierDetector.normalized(input)
        candidates = CarrierDetector.detect(input).map { candidate in
            Candidate(
                carrier: candidate.carrier.code, name: candidate.carrier.name, valid: candidate.valid,
                tracking_url: candidate.carrier.trackingURL(for: number))
        }
    }
}
