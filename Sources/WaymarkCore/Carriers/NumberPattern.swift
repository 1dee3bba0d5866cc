/// The shape of a tracking number, matched against the whole number (uppercase ASCII, white space
/// already removed). It reads like a regular expression anchored at both ends and backtracks in the
/// same order, so the parts it captures are those a regex engine would capture: repeats are greedy,
/// optional parts are tried present first, alternatives in the order given.
///
/// A small matcher of our own rather than `Regex`: every format is plain `Sendable` data, knows its
/// shortest and longest match (so most formats are skipped by length alone), and detection stays
/// cheap on every shipment created.
indirect enum NumberPattern: Sendable {
    /// Exactly these characters.
    case literal(String)
    /// `count` characters of a class.
    case characters(CharacterClass, count: ClosedRange<Int>)
    /// Each part after the other.
    case sequence([NumberPattern])
    /// The first alternative that lets the rest of the number match.
    case oneOf([NumberPattern])
    /// The pattern, or nothing.
    case optional(NumberPattern)
    /// Remembers what the pattern matched, for the check digit.
    case capture(NumberField, NumberPattern)
    /// Matches nothing, and only where the number has one of these many characters left
    /// (a look-ahead on length, as USPS barcodes need to tell their optional ZIP apart).
    case remaining(Set<Int>)

    /// The parts of a tracking number the check digit and the issuer are read from.
    enum NumberField: Sendable {
        case serial, checkDigit, countryCode
    }

    /// A set of ASCII characters.
    struct CharacterClass: Sendable {
        private let members: Set<UInt8>

        init(_ characters: String) { members = Set(characters.utf8) }

        func contains(_ byte: UInt8) -> Bool { members.contains(byte) }

        static let digit = CharacterClass("0123456789")
        static let letter = CharacterClass("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        static let alphanumeric = CharacterClass("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    }

    /// What a successful match captured, as ranges of the number.
    struct Captures: Sendable {
        var serial: Range<Int>?
        var checkDigit: Range<Int>?
        var countryCode: Range<Int>?

        fileprivate mutating func set(_ field: NumberField, _ range: Range<Int>) {
            switch field {
            case .serial: serial = range
            case .checkDigit: checkDigit = range
            case .countryCode: countryCode = range
            }
        }
    }

    // MARK: - Building patterns

    static func digits(_ count: Int) -> NumberPattern { .characters(.digit, count: count...count) }
    static func digits(_ count: ClosedRange<Int>) -> NumberPattern { .characters(.digit, count: count) }
    static func letters(_ count: Int) -> NumberPattern { .characters(.letter, count: count...count) }
    static func alphanumerics(_ count: ClosedRange<Int>) -> NumberPattern { .characters(.alphanumeric, count: count) }
    /// One character out of `characters`.
    static func anyOf(_ characters: String) -> NumberPattern { .characters(CharacterClass(characters), count: 1...1) }
    static func serial(_ parts: NumberPattern...) -> NumberPattern { .capture(.serial, .sequence(parts)) }
    /// The single check character, of the given class (a digit unless said otherwise).
    static func checkDigit(_ characters: CharacterClass = .digit) -> NumberPattern {
        .capture(.checkDigit, .characters(characters, count: 1...1))
    }
    /// One of several fixed prefixes.
    static func literals(_ choices: String...) -> NumberPattern { .oneOf(choices.map(NumberPattern.literal)) }

    // MARK: - Length bounds

    /// The fewest and the most characters this pattern can match.
    var lengths: ClosedRange<Int> {
        switch self {
        case .literal(let text):
            return text.utf8.count...text.utf8.count
        case .characters(_, let count):
            return count
        case .sequence(let parts):
            let bounds = parts.map(\.lengths)
            return bounds.reduce(0) { $0 + $1.lowerBound }...bounds.reduce(0) { $0 + $1.upperBound }
        case .oneOf(let choices):
            let bounds = choices.map(\.lengths)
            return (bounds.map(\.lowerBound).min() ?? 0)...(bounds.map(\.upperBound).max() ?? 0)
        case .optional(let pattern):
            return 0...pattern.lengths.upperBound
        case .capture(_, let pattern):
            return pattern.lengths
        case .remaining:
            return 0...0
        }
    }

    // MARK: - Matching

    /// The captures of the first way this pattern matches all of `number`, or nil.
    func wholeMatch(_ number: [UInt8]) -> Captures? {
        var found: Captures?
        _ = match(number, at: 0, Captures()) { end, captures in
            guard end == number.count else { return false }
            found = captures
            return true
        }
        return found
    }

    /// Matches at `position` and hands the end and captures to `next`; backtracks while `next`
    /// refuses.
    private func match(
        _ number: [UInt8], at position: Int, _ captures: Captures, _ next: (Int, Captures) -> Bool
    ) -> Bool {
        switch self {
        case .literal(let text):
            var end = position
            for byte in text.utf8 {
                guard end < number.count, number[end] == byte else { return false }
                end += 1
            }
            return next(end, captures)

        case .characters(let characterClass, let count):
            // Greedy: the longest run first, then shorter ones.
            var run = 0
            while run < count.upperBound, position + run < number.count, characterClass.contains(number[position + run]) {
                run += 1
            }
            while run >= count.lowerBound {
                if next(position + run, captures) { return true }
                run -= 1
            }
            return false

        case .sequence(let parts):
            return Self.matchSequence(parts[...], number, at: position, captures, next)

        case .oneOf(let choices):
            return choices.contains { $0.match(number, at: position, captures, next) }

        case .optional(let pattern):
            return pattern.match(number, at: position, captures, next) || next(position, captures)

        case .capture(let field, let pattern):
            return pattern.match(number, at: position, captures) { end, inner in
                var withField = inner
                withField.set(field, position..<end)
                return next(end, withField)
            }

        case .remaining(let counts):
            return counts.contains(number.count - position) && next(position, captures)
        }
    }

    private static func matchSequence(
        _ parts: ArraySlice<NumberPattern>, _ number: [UInt8], at position: Int, _ captures: Captures,
        _ next: (Int, Captures) -> Bool
    ) -> Bool {
        guard let first = parts.first else { return next(position, captures) }
        return first.match(number, at: position, captures) { end, afterFirst in
            matchSequence(parts.dropFirst(), number, at: end, afterFirst, next)
        }
    }
}
