import Foundation
import WaymarkCore
import WaymarkSigning

/// AfterShip: the body is signed with the tenant's webhook secret (`credentials.secret`) as
/// `aftership-hmac-sha256: base64(HMAC-SHA256(secret, body))`.
struct AfterShipAdapter: ProviderAdapter {
    var name: ProviderName { .aftership }
    static let signatureHeader = "aftership-hmac-sha256"

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let secret = try credentials.required(\.secret, for: name, "webhook secret")
        let received = try request.requiredHeader(Self.signatureHeader)
        let expected = Digests.base64(Digests.hmacSHA256(key: Array(secret.utf8), message: request.body))
        guard ConstantTime.equals(received, expected) else {
            throw .badSignature("the \(Self.signatureHeader) header does not match the body signed with the tenant's AfterShip webhook secret")
        }
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(AfterShipPayload.self, from: request.body, provider: name)
        guard let tracking = payload.tracking else { throw .malformed("aftership webhook body: msg is required") }
        let number = try TrackingNumber.required(tracking.trackingNumber, field: "msg.tracking_number", provider: name)

        let events = tracking.checkpoints.compactMap { checkpoint -> ProviderEvent? in
            guard let time = checkpoint.time else { return nil }
            return ProviderEvent(
                time: time, meaning: AfterShipStatus.meaning(tag: checkpoint.tag, subtag: checkpoint.subtag),
                rawCode: checkpoint.subtag ?? checkpoint.tag, message: checkpoint.message ?? checkpoint.subtagMessage ?? "",
                place: ProviderPlace.make(city: checkpoint.city, region: checkpoint.state, country: checkpoint.country, freeText: checkpoint.location))
        }
        // The tracking's own tag: AfterShip reports some statuses, Expired above all, only there.
        let stated = StatedStatus(
            AfterShipStatus.meaning(tag: tracking.tag, subtag: tracking.subtag), rawCode: tracking.subtag ?? tracking.tag,
            message: tracking.subtagMessage ?? tracking.tag, time: payload.timestamp.map(EventTime.init(unixTime:)))

        return InboundWebhook(eventID: payload.eventID, updates: [InboundUpdate(
            trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: tracking.slug),
            events: ProviderEvent.checkpoints(events, stated: stated, source: name), eta: tracking.expectedDelivery?.day)])
    }
}
