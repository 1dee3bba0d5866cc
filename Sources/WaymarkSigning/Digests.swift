import Crypto
import Foundation
import WaymarkCore

/// The digests providers sign with, and the text encodings they put them in.
public enum Digests {
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: Array(key))))
    }

    public static func sha256(_ message: some Collection<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(message)))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Whether a hex signature as received (either case, surrounding white space) is `expected`.
    public static func hexMatches(_ received: String, _ expected: [UInt8]) -> Bool {
        ConstantTime.equals(received.trimmingWhitespace.lowercased(), hex(expected))
    }
}
