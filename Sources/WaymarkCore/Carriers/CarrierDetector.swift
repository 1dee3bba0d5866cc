/// A carrier a tracking number may belong to.
public struct CarrierCandidate: Hashable, Sendable {
    public let carrier: Carrier
    /// The number has one of this carrier's formats and, where that format has a check digit, the
    /// check digit is right. False: the shape fits, the check digit does not (a typo, or another
    /// carrier's number).
    public let valid: Bool

    public init(carrier: Carrier, valid: Bool) {
        self.carrier = carrier
        self.valid = valid
    }
}

/// Tells from a tracking number alone which carriers may have issued it, by its format and check
/// digit. Pure and quick: it runs on every shipment created.
public enum CarrierDetector {
    /// Nothing longer is a tracking number; it is not looked at.
    public static let maximumLength = TrackingNumber.maxLength
    private static let separatorBytes = Set(TrackingNumber.separators.map { UInt8($0.value) })

    /// Each carrier whose formats fit the number, once: valid ones first, then those whose check
    /// digit fails; within each, the more specific format first.
    ///
    /// White space anywhere is ignored and letters may be in either case. Separators (`-`, `_`,
    /// `.`, `/`) are kept for the formats that have them and dropped for the others.
    public static func detect(_ number: String) -> [CarrierCandidate] {
        let compact = normalized(number)
        guard !compact.isEmpty, compact.utf8.count <= maximumLength else { return [] }
        var spellings = [Array(compact.utf8)]
        if compact.utf8.contains(where: separatorBytes.contains) { spellings.append(compact.utf8.filter { !separatorBytes.contains($0) }) }

        // Per carrier, its best result so far. A rank orders valid results before invalid ones,
        // then by the format's place in the table.
        let formats = TrackingNumberFormat.all
        var best: [String: (candidate: CarrierCandidate, rank: Int)] = [:]
        for spelling in spellings {
            for (position, format) in formats.enumerated() {
                guard let result = format.evaluate(spelling) else { continue }
                let rank = (result.valid ? 0 : formats.count) + position
                if let known = best[result.carrier.code], known.rank <= rank { continue }
                best[result.carrier.code] = (CarrierCandidate(carrier: result.carrier, valid: result.valid), rank)
            }
        }
        return best.values.sorted { $0.rank < $1.rank }.map(\.candidate)
    }

    /// The number as the formats read it: without white space, ASCII letters in uppercase.
    public static func normalized(_ number: String) -> String { TrackingNumber.compact(number) }
}
