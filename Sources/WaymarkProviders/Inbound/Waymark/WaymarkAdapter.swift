import Foundation
import WaymarkCore
import WaymarkSigning

/// Waymark's generic format, signed by Standard Webhooks with the tenant's inbound `whsec_`
/// secret (`credentials.secret`). The `webhook-id` header is the event id.
struct WaymarkAdapter: ProviderAdapter {
    var name: ProviderName { .waymark }

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let secret = try credentials.required(\.secret, for: name, "inbound secret")
        let signer: StandardWebhooks
        do {
            signer = try StandardWebhooks(secret: secret)
        } catch {
            throw .notConfigured("the tenant's waymark inbound secret is unusable: \(error.reason)")
        }
        try signer.verify(request, now: now)
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(WaymarkPayload.self, from: request.body, provider: name)
        let number = try TrackingNumber.required(payload.trackingNumber, field: "tracking_number", provider: name)
        let events = payload.events.map { event in
            ProviderEvent(time: event.time, meaning: event.meaning, rawCode: event.meaning.description, message: event.message, place: event.place)
        }
        return InboundWebhook(eventID: request.header(StandardWebhooks.idHeader), updates: [InboundUpdate(
            trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: payload.carrier),
            events: ProviderEvent.checkpoints(events, source: name), eta: payload.eta?.day)])
    }
}
