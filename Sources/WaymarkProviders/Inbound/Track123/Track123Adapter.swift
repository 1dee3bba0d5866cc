import Foundation
import WaymarkCore
import WaymarkSigning

/// Track123 signs the request's timestamp, not its body, with the account's API key (Track123
/// calls it the API secret; `credentials.apiKey`, or `secret` when entered there). The
/// five-minute window and the route's dedupe are what stop a captured request being replayed.
struct Track123Adapter: ProviderAdapter {
    var name: ProviderName { .track123 }
    static let timestampHeader = "x-track123-timestamp"
    static let signatureHeader = "x-track123-signature"

    /// How the signature is written. Track123's documentation names HMAC-SHA256 over the
    /// timestamp but not the encoding: hex is unconfirmed, and this is the one place to change it.
    static let signatureEncoding = SignatureEncoding.hexOfTimestamp

    enum SignatureEncoding {
        case hexOfTimestamp, base64OfTimestamp
    }

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let key = try credentials.accountKey(for: name)
        let timestampText = try request.requiredHeader(Self.timestampHeader)
        let received = try request.requiredHeader(Self.signatureHeader)
        guard let milliseconds = TimestampWindow.integer(timestampText) else {
            throw .badSignature("the \(Self.timestampHeader) header '\(timestampText.prefix(40))' is not a time in milliseconds since 1970")
        }
        try TimestampWindow.check(Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000), now: now, header: Self.timestampHeader)
        let mac = Digests.hmacSHA256(key: Array(key.utf8), message: Array(timestampText.utf8))
        let matches = switch Self.signatureEncoding {
        case .hexOfTimestamp: Digests.hexMatches(received, mac)
        case .base64OfTimestamp: ConstantTime.equals(received, Digests.base64(mac))
        }
        guard matches else {
            throw .badSignature("the \(Self.signatureHeader) header does not match the timestamp signed with the tenant's Track123 API key")
        }
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(Track123Payload.self, from: request.body, provider: name)
        var updates: [InboundUpdate] = []
        for shipment in payload.shipments {
            let number = try TrackingNumber.required(shipment.trackingNumber, field: "trackingNumber (or data.trackNo)", provider: name)
            let events = shipment.events.compactMap { event -> ProviderEvent? in
                guard let time = event.time else { return nil }
                return ProviderEvent(
                    time: time, meaning: event.subStatus.map { Track123Status.meaning(status: nil, subStatus: $0) },
                    rawCode: event.subStatus, message: event.detail ?? "", place: ProviderPlace.make(freeText: event.location))
            }
            let stated = StatedStatus(
                Track123Status.meaning(status: shipment.status, subStatus: shipment.subStatus), rawCode: shipment.subStatus ?? shipment.status)
            updates.append(InboundUpdate(
                trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: shipment.carrierCode),
                events: ProviderEvent.checkpoints(events, stated: stated, source: name)))
        }
        return InboundWebhook(eventID: nil, updates: updates)
    }
}
