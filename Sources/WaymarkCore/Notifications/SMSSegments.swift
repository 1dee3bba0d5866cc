/// How a text message is split into SMS segments, which is what carriers bill and cap.
///
/// A message that fits the GSM 03.38 alphabet travels as 7-bit septets: 160 in one segment, 153
/// per segment once split (the rest carries the concatenation header). Characters of the
/// extension table (`€`, `[`, `]`, `{`, `}`, `\`, `^`, `~`, `|`, form feed) take two septets and
/// are never split across segments. Anything else forces UCS-2: 70 UTF-16 units in one segment,
/// 67 once split, and a surrogate pair is never split either.
public struct SMSSegments: Sendable, Equatable {
    public enum Encoding: String, Sendable, Equatable {
        case gsm7
        case ucs2
    }

    public var encoding: Encoding
    public var count: Int
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) in all.
    public var units: Int

    public init(_ text: String) {
        if let septets = Self.gsmSeptets(text) {
            encoding = .gsm7
            units = septets.reduce(0, +)
            count = Self.pack(septets, single: 160, multi: 153)
        } else {
            encoding = .ucs2
            let perCharacter = text.unicodeScalars.map { $0.value > 0xFFFF ? 2 : 1 }
            units = perCharacter.reduce(0, +)
            count = Self.pack(perCharacter, single: 70, multi: 67)
        }
    }

    /// The text cut, if needed, so it fits in `maxSegments`: the words before the last link
    /// are shortened (ending in `…`) and the link, the part a shopper needs, is kept whole.
    public static func fitting(_ text: String, maxSegments: Int) -> String {
        guard SMSSegments(text).count > maxSegments else { return text }
        let link = text.range(of: "https://", options: .backwards) ?? text.range(of: "http://", options: .backwards)
        let tail = link.map { " " + String(text[$0.lowerBound...]) } ?? ""
        var head = link.map { String(text[..<$0.lowerBound]) } ?? text
        head = head.trimmingTrailingSpaces()
        while !head.isEmpty {
            head.removeLast()
            let candidate = head.trimmingTrailingSpaces() + "…" + tail
            if SMSSegments(candidate).count <= maxSegments { return candidate }
        }
        // Even the link alone is too long: cut it too, rather than send more than allowed.
        var cut = tail.trimmingLeadingSpaces()
        while !cut.isEmpty, SMSSegments(cut).count > maxSegments { cut.removeLast() }
        return cut
    }

    /// Septets per character, or nil when a character is outside the GSM alphabet.
    static func gsmSeptets(_ text: String) -> [Int]? {
        var septets: [Int] = []
        septets.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if basic.contains(scalar) {
                septets.append(1)
            } else if extended.contains(scalar) {
                septets.append(2)
            } else {
                return nil
            }
        }
        return septets
    }

    /// Segments needed for units that may not be split: one segment if all fit `single`, else
    /// greedy packing into segments of `multi`.
    static func pack(_ sizes: [Int], single: Int, multi: Int) -> Int {
        let total = sizes.reduce(0, +)
        if total == 0 { return 1 }
        if total <= single { return 1 }
        var segments = 1, used = 0
        for size in sizes {
            if used + size > multi {
                segments += 1
                used = 0
            }
            used += size
        }
        return segments
    }

    /// GSM 03.38 basic character set.
    static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars)
    /// The extension table, reached through an escape septet.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last?.isWhitespace == true { copy.removeLast() }
        return copy
    }

    func trimmingLeadingSpaces() -> String {
        String(drop(while: \.isWhitespace))
    }
}
