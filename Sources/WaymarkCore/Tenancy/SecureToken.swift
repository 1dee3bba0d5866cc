/// Unguessable identifiers from the system CSPRNG (`SystemRandomNumberGenerator` reads
/// `getrandom(2)` on Linux), encoded as unpadded base64url.
public enum SecureToken {
    /// 144 random bits; 24 characters. Tracking links use it.
    public static func trackingToken() -> String { random(byteCount: 18) }

    /// `count` random bytes as base64url without padding.
    public static func random(byteCount count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        // Eight bytes per draw: each draw is a getrandom(2) call, and a bulk import makes
        // hundreds of thousands of tokens.
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        return Base64URL.encode(bytes.prefix(count))
    }

    /// Whether text could be a token we issued: base64url alphabet, at least 22 characters
    /// (128 bits). Checked before any database lookup so junk never reaches the store.
    public static func isWellFormed(_ text: String, minimumLength: Int = 22) -> Bool {
        // The alphabet is ASCII, so bytes are characters: one pass over the UTF-8, no grapheme
        // counting; and not generic, which cost more than the check on every page view.
        let utf8 = text.utf8
        return utf8.count >= minimumLength && utf8.count <= 128 && utf8.allSatisfy(Base64URL.isAlphabet)
    }
}

/// RFC 4648 §5 base64url, without padding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 0x3F)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(6 - bits)) & 0x3F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of unpadded (or padded) base64url text; nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        var buffer: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        for byte in text.utf8 where byte != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95
    }
}
