import Foundation
import WaymarkCore
import WaymarkNotify

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
        let number = try TrackingNumber.normalized(tracking.trackingNumber, field: "msg.tracking_number", provider: name)

        var events = tracking.checkpoints.compactMap { checkpoint -> ProviderEvent? in
            guard let time = checkpoint.time else { return nil }
            return ProviderEvent(
                time: time, meaning: AfterShipStatus.meaning(tag: checkpoint.tag, subtag: checkpoint.subtag),
                rawCode: checkpoint.subtag ?? checkpoint.tag, message: checkpoint.message ?? checkpoint.subtagMessage ?? "",
                place: ProviderPlace.make(city: checkpoint.city, region: checkpoint.state, country: checkpoint.country, freeText: checkpoint.location))
        }
        if let summary = summaryEvent(tracking, at: payload.timestamp, after: events) { events.append(summary) }

        return InboundWebhook(eventID: payload.eventID, updates: [InboundUpdate(
            trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: tracking.slug),
            events: ProviderEvent.checkpoints(events, source: name), eta: tracking.expectedDelivery?.day)])
    }

    /// AfterShip reports some statuses, Expired above all, as the tracking's tag with no
    /// checkpoint. When the tag says something the newest checkpoint does not, it becomes an event
    /// at the webhook's `ts`, so the shipment's status follows. Pending adds nothing and is skipped.
    private func summaryEvent(_ tracking: AfterShipPayload.Tracking, at time: Date?, after events: [ProviderEvent]) -> ProviderEvent? {
        guard let time, tracking.tag != nil || tracking.subtag != nil else { return nil }
        let meaning = AfterShipStatus.meaning(tag: tracking.tag, subtag: tracking.subtag)
        let newest = events.max { $0.time.date < $1.time.date }
        guard meaning.status != .pending, newest?.meaning?.status != meaning.status, (newest?.time.date ?? .distantPast) <= time
        else { return nil }
        return ProviderEvent(
            time: EventTime(unixTime: time), meaning: meaning, rawCode: tracking.subtag ?? tracking.tag,
            message: tracking.subtagMessage ?? tracking.tag ?? "", place: Place())
    }
}
