import Foundation
import WaymarkCore
import WaymarkSigning

extension StandardWebhooks {
    /// Verifies an inbound request: all three headers present, the timestamp within five
    /// minutes of `now`, and at least one `v1` entry matching.
    public func verify(_ request: InboundRequest, now: Date) throws(InboundError) {
        let id = try request.requiredHeader(Self.idHeader)
        let timestampText = try request.requiredHeader(Self.timestampHeader)
        let signatures = try request.requiredHeader(Self.signatureHeader)
        guard let timestamp = TimestampWindow.integer(timestampText) else {
            throw .badSignature("the \(Self.timestampHeader) header '\(timestampText.prefix(40))' is not a whole number of seconds since 1970")
        }
        try TimestampWindow.check(Date(timeIntervalSince1970: TimeInterval(timestamp)), now: now, header: Self.timestampHeader)
        do {
            try verifySignature(signatures, id: id, timestamp: timestamp, body: request.body)
        } catch {
            throw .badSignature(error.description)
        }
    }
}
