import Foundation
import WaymarkCore
import WaymarkSigning

/// 17TRACK: `sign` is hex(SHA-256(body + "/" + API key)), the account's `17token` key
/// (`credentials.apiKey`, or `secret` when entered there). A plain hash rather than an HMAC is
/// what 17TRACK documents; unconfirmed, so it lives in `expectedSignature` alone.
struct SeventeenTrackAdapter: ProviderAdapter {
    var name: ProviderName { .seventeenTrack }
    static let signatureHeader = "sign"

    static func expectedSignature(body: [UInt8], key: String) -> [UInt8] {
        Digests.sha256(body + Array("/\(key)".utf8))
    }

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let key = try credentials.accountKey(for: name)
        let received = try request.requiredHeader(Self.signatureHeader)
        guard Digests.hexMatches(received, Self.expectedSignature(body: request.body, key: key)) else {
            throw .badSignature("the sign header does not match the body hashed with the tenant's 17TRACK API key")
        }
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(SeventeenTrackPayload.self, from: request.body, provider: name)
        let number = try TrackingNumber.required(payload.number, field: "data.number", provider: name)
        // latest_event usually repeats the newest carrier event; it counts on its own only when
        // no carrier event has its time.
        let latest = payload.latestEvent.flatMap { latest in payload.events.contains { $0.time == latest.time } ? nil : latest }
        let events = (payload.events + (latest.map { [$0] } ?? [])).compactMap { event -> ProviderEvent? in
            guard let time = event.time else { return nil }
            return ProviderEvent(
                time: time, meaning: SeventeenTrackStatus.eventMeaning(stage: event.stage, subStatus: event.subStatus),
                rawCode: event.subStatus ?? event.stage, message: event.description ?? "",
                place: ProviderPlace.make(city: event.city, region: event.state, country: event.country, freeText: event.location))
        }
        let stated = StatedStatus(
            SeventeenTrackStatus.meaning(status: payload.status, subStatus: payload.subStatus), rawCode: payload.subStatus ?? payload.status,
            message: payload.latestEvent?.description, time: payload.latestEvent?.time)
        return InboundWebhook(eventID: nil, updates: [InboundUpdate(
            trackingNumber: number, carrier: payload.carrier.flatMap { SeventeenTrackStatus.carriers[$0] },
            events: ProviderEvent.checkpoints(events, stated: stated, source: name))])
    }
}
