import Crypto
import Foundation
import WaymarkCore

/// Signing and verification by the Standard Webhooks scheme (standardwebhooks.com): headers
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list
/// of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded part
/// of a `whsec_` secret. Waymark signs its outbound webhooks with it and verifies merchants'
/// inbound feeds with it (the inbound side adds its header and replay-window checks).
public struct StandardWebhooks: Sendable {
    public static let secretPrefix = "whsec_"
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"

    /// A secret that is empty or not base64 once its `whsec_` prefix is removed.
    public struct InvalidSecret: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Why a `webhook-signature` header does not verify.
    public enum SignatureMismatch: Error, Equatable, Sendable, CustomStringConvertible {
        /// No `v1,` entry at all: another scheme or version.
        case noVersion1Entry
        /// `v1,` entries, none of them made with this secret over this id, time and body.
        case noMatch

        public var description: String {
            switch self {
            case .noVersion1Entry: "the \(StandardWebhooks.signatureHeader) header has no v1,<base64> entry"
            case .noMatch: "no \(StandardWebhooks.signatureHeader) entry matches this request signed with the tenant's secret"
            }
        }
    }

    private let key: [UInt8]

    /// Takes `whsec_<base64>` or the bare base64 part; padding may be left off.
    public init(secret: String) throws(InvalidSecret) {
        var encoded = secret.trimmingWhitespace
        if encoded.hasPrefix(Self.secretPrefix) { encoded.removeFirst(Self.secretPrefix.count) }
        guard !encoded.isEmpty else { throw InvalidSecret(reason: "the webhook secret is empty; expected whsec_ followed by base64") }
        if encoded.utf8.count % 4 != 0 { encoded += String(repeating: "=", count: 4 - encoded.utf8.count % 4) }
        guard let decoded = Data(base64Encoded: encoded), !decoded.isEmpty else {
            throw InvalidSecret(reason: "the webhook secret is not base64 after its whsec_ prefix")
        }
        key = Array(decoded)
    }

    /// A new secret of `byteCount` random bytes (the scheme allows 24 to 64), as `whsec_<base64>`.
    public static func generateSecret(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    /// One `v1,<base64>` entry for `webhook-signature`. While a secret is being rotated, send the
    /// entries of the old and the new secret joined by a space.
    public func signature(id: String, timestamp: Int64, body: some Collection<UInt8>) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + Array(body)
        return "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: key))).base64EncodedString()
    }

    /// The three headers of one delivery attempt signed at `timestamp`.
    public func headers(id: String, timestamp: Date, body: some Collection<UInt8>) -> [String: String] {
        let seconds = Self.unixSeconds(timestamp)
        return [
            Self.idHeader: id, Self.timestampHeader: String(seconds),
            Self.signatureHeader: signature(id: id, timestamp: seconds, body: body),
        ]
    }

    /// The `webhook-signature` value for a message signed with each of `secrets` (the current
    /// one first; the previous one too while a rotation's grace period lasts).
    public static func signatureHeaderValue(
        secrets: [String], id: String, timestamp: Int64, body: some Collection<UInt8>
    ) throws(InvalidSecret) -> String {
        var entries: [String] = []
        for secret in secrets {
            entries.append(try StandardWebhooks(secret: secret).signature(id: id, timestamp: timestamp, body: body))
        }
        return entries.joined(separator: " ")
    }

    /// Whether one `v1` entry of a `webhook-signature` header was made with this secret over
    /// `id`, `timestamp` and `body`, compared in constant time. The caller checks that the
    /// timestamp is recent: this only checks the signature.
    public func verifySignature(
        _ header: String, id: String, timestamp: Int64, body: some Collection<UInt8>
    ) throws(SignatureMismatch) {
        let expected = signature(id: id, timestamp: timestamp, body: body)
        let entries = header.split(separator: " ").map(String.init)
        guard entries.contains(where: { $0.hasPrefix("v1,") }) else { throw .noVersion1Entry }
        var matched = false
        // Every entry is compared, so timing does not tell which one matched.
        for entry in entries where ConstantTime.equals(entry, expected) { matched = true }
        guard matched else { throw .noMatch }
    }

    /// The whole seconds since 1970 a `webhook-timestamp` carries.
    public static func unixSeconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
