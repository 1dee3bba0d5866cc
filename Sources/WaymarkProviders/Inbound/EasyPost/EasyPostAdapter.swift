import Foundation
import WaymarkCore
import WaymarkSigning

/// EasyPost signs the body with the tenant's webhook secret (`credentials.secret`), NFKD-normalized
/// as EasyPost's client libraries do: `X-Hmac-Signature: hmac-sha256-hex=<hex>`.
struct EasyPostAdapter: ProviderAdapter {
    var name: ProviderName { .easypost }
    static let signatureHeader = "x-hmac-signature"
    static let signaturePrefix = "hmac-sha256-hex="

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let secret = try credentials.required(\.secret, for: name, "webhook secret")
        let received = try request.requiredHeader(Self.signatureHeader)
        guard received.lowercased().hasPrefix(Self.signaturePrefix) else {
            throw .badSignature("the X-Hmac-Signature header must start with \(Self.signaturePrefix)")
        }
        let key = Array(secret.decomposedStringWithCompatibilityMapping.utf8)
        let expected = Digests.hmacSHA256(key: key, message: request.body)
        guard Digests.hexMatches(String(received.dropFirst(Self.signaturePrefix.count)), expected) else {
            throw .badSignature("the X-Hmac-Signature header does not match the body signed with the tenant's EasyPost webhook secret")
        }
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(EasyPostPayload.self, from: request.body, provider: name)
        // Events about other objects are acknowledged with nothing to record.
        guard payload.isTrackerEvent else { return InboundWebhook(eventID: payload.id, updates: []) }
        guard let tracker = payload.tracker else { throw .malformed("easypost webhook body: result is required") }
        let number = try TrackingNumber.required(tracker.trackingCode, field: "result.tracking_code", provider: name)
        let events = tracker.details.compactMap { detail -> ProviderEvent? in
            guard let time = detail.time else { return nil }
            return ProviderEvent(
                time: time, meaning: detail.status.map { EasyPostStatus.meaning(status: $0, detail: detail.statusDetail) },
                rawCode: RawCode.joined(detail.status, detail.statusDetail), message: detail.message ?? "",
                place: ProviderPlace.make(city: detail.city, region: detail.state, country: detail.country))
        }
        let stated = StatedStatus(
            EasyPostStatus.meaning(status: tracker.status, detail: tracker.statusDetail), rawCode: RawCode.joined(tracker.status, tracker.statusDetail))
        return InboundWebhook(eventID: payload.id, updates: [InboundUpdate(
            trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: tracker.carrier),
            events: ProviderEvent.checkpoints(events, stated: stated, source: name),
            eta: tracker.estimatedDelivery?.day)])
    }
}
