import Foundation

/// Header text rules shared by the subject and display names: control characters never reach
/// the wire, and anything that is not plain printable ASCII (or too long for one line) becomes
/// RFC 2047 `=?UTF-8?B?...?=` encoded words folded to lines of at most 76 characters.
enum HeaderText {
    /// Line breaks and other control characters become spaces: a subject or name is one line.
    static func replacingControlCharacters(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}") ? " " : scalar
        }))
    }

    static func isPlainPrintableASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }
    }

    /// An unstructured header value (Subject): kept as is when printable ASCII that fits on the
    /// first line and does not look like an encoded word, else encoded.
    static func unstructured(_ text: String, firstLineOffset: Int) -> String {
        let clean = replacingControlCharacters(text)
        if isPlainPrintableASCII(clean), clean.utf8.count + firstLineOffset <= 76, !clean.contains("=?") {
            return clean
        }
        return encodedWords(clean, firstLineOffset: firstLineOffset)
    }

    /// A display name: an atom-only name as is, other ASCII as a quoted string, else encoded.
    static func encodedPhrase(_ text: String, firstLineOffset: Int) -> String {
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
        if isPlainPrintableASCII(text), !text.contains("=?"), text.utf8.count + firstLineOffset <= 60 {
            if text.unicodeScalars.allSatisfy({ atext.contains($0) }) { return text }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return encodedWords(text, firstLineOffset: firstLineOffset)
    }

    /// Splits on character boundaries (never inside a UTF-8 sequence) into B-encoded words of at
    /// most 39 bytes each (52 base64 characters + 12 = 64), joined by CRLF SP folds: with a header
    /// name of up to 10 characters every line stays within 76.
    static func encodedWords(_ text: String, firstLineOffset: Int) -> String {
        let maxBytes = min(39, max(3, (76 - firstLineOffset - 12) / 4 * 3))
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = maxBytes
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > limit {
                words.append(encode(chunk))
                chunk = []
                limit = 39
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encode(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encode(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }
}
