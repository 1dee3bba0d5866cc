import Testing
import WaymarkCore

@Suite("SecureToken and Base64URL")
struct SecureTokenTests {
    static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test("A tracking token carries at least 128 bits in the base64url alphabet")
    func trackingTokenShape() {
        let token = SecureToken.trackingToken()
        #expect(token.count >= 22)
        #expect(token.allSatisfy(Self.alphabet.contains))
        #expect(SecureToken.isWellFormed(token))
    }

    @Test("1,000 tracking tokens are all distinct")
    func tokensDistinct() {
        let tokens = (0..<1_000).map { _ in SecureToken.trackingToken() }
        #expect(Set(tokens).count == 1_000)
    }

    @Test("random(byteCount:) gives ceil(4n/3) characters")
    func randomLength() {
        #expect(SecureToken.random(byteCount: 32).count == 43)
        #expect(SecureToken.random(byteCount: 15).count == 20)
        #expect(SecureToken.random(byteCount: 0) == "")
    }

    @Test("Shipment ids are shp_ and 20 base64url characters")
    func shipmentID() {
        let id = Shipment.newID()
        #expect(id.hasPrefix("shp_"))
        #expect(id.dropFirst(4).count == 20)
        #expect(id.dropFirst(4).allSatisfy(Self.alphabet.contains))
    }

    @Test("isWellFormed accepts 22 to 128 base64url characters")
    func wellFormed() {
        #expect(SecureToken.isWellFormed(String(repeating: "A", count: 22)))
        #expect(SecureToken.isWellFormed("abcdefghij-_0123456789XYZ"))
        #expect(SecureToken.isWellFormed(String(repeating: "_", count: 128)))
    }

    @Test(
        "isWellFormed rejects short, long or non-alphabet strings",
        arguments: [
            "", "abc", String(repeating: "A", count: 21), String(repeating: "A", count: 129),
            "abcdefghijklmnopqrstu+", "abcdefghijklmnopqrstu/", "abcdefghijklmnopqrstuv=", "abcdefghijklmnopqrstu v",
            "abcdefghijklmnopqrstu.", "abcdefghijklmnopqrstué", "abcdefghijklmnopqrstu%2F", "../../../../etc/passwd/xx",
        ]
    )
    func notWellFormed(text: String) {
        #expect(!SecureToken.isWellFormed(text))
    }

    @Test(
        "Base64URL.encode matches the RFC 4648 test vectors, unpadded",
        arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
    )
    func rfc4648Vectors(input: String, expected: String) {
        #expect(Base64URL.encode(Array(input.utf8)) == expected)
    }

    @Test("Base64URL uses - and _ where base64 has + and /")
    func urlSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.encode([0xFB, 0xEF, 0xBE]) == "----")
        #expect(Base64URL.encode([0xFF, 0xFF, 0xFF]) == "____")
        #expect(Base64URL.encode([0x00, 0x00, 0x00]) == "AAAA")
        #expect(Base64URL.encode([0x14, 0xFB, 0x9C, 0x03, 0xD9, 0x7E]) == "FPucA9l-")
    }
}
