import Foundation
import WaymarkCore

/// Signing and verification by the Standard Webhooks scheme (standardwebhooks.com): headers
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list
/// of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded part
/// of a `whsec_` secret. Waymark verifies merchants' inbound feeds with it and signs its own
/// outbound webhooks with it.
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
        return "v1," + Digests.base64(Digests.hmacSHA256(key: key, message: signed))
    }

    /// The three headers of one delivery attempt signed at `timestamp`.
    public func headers(id: String, timestamp: Date, body: some Collection<UInt8>) -> [String: String] {
        let seconds = Int64(timestamp.timeIntervalSince1970.rounded(.down))
        return [
            Self.idHeader: id, Self.timestampHeader: String(seconds),
            Self.signatureHeader: signature(id: id, timestamp: seconds, body: body),
        ]
    }

    /// Verifies a request: all three headers present, the timestamp within five minutes of `now`,
    /// and at least one `v1` entry matching (compared in constant time).
    public func verify(_ request: InboundRequest, now: Date) throws(InboundError) {
        let id = try request.requiredHeader(Self.idHeader)
        let timestampText = try request.requiredHeader(Self.timestampHeader)
        let signatures = try request.requiredHeader(Self.signatureHeader)
        guard let timestamp = TimestampWindow.integer(timestampText) else {
            throw .badSignature("the \(Self.timestampHeader) header '\(timestampText.prefix(40))' is not a whole number of seconds since 1970")
        }
        try TimestampWindow.check(Date(timeIntervalSince1970: TimeInterval(timestamp)), now: now, header: Self.timestampHeader)

        let expected = signature(id: id, timestamp: timestamp, body: request.body)
        let entries = signatures.split(separator: " ").map(String.init)
        guard entries.contains(where: { $0.hasPrefix("v1,") }) else {
            throw .badSignature("the \(Self.signatureHeader) header has no v1,<base64> entry")
        }
        var matched = false
        for entry in entries where ConstantTime.equals(entry, expected) { matched = true }
        guard matched else {
            throw .badSignature("no \(Self.signatureHeader) entry matches this request signed with the tenant's secret")
        }
    }
}
