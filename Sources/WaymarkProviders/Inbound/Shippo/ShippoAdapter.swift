import Foundation
import WaymarkCore
import WaymarkSigning

/// Shippo does not sign webhooks. The tenant registers its hook URL with `?token=<secret>`
/// (`credentials.secret`), and the token is compared in constant time.
struct ShippoAdapter: ProviderAdapter {
    var name: ProviderName { .shippo }
    static let tokenParameter = "token"

    func verify(_ request: InboundRequest, credentials: ProviderCredentials, now: Date) throws(InboundError) {
        let secret = try credentials.required(\.secret, for: name, "webhook token")
        guard let token = request.query[Self.tokenParameter], !token.isEmpty else {
            throw .missingSignature("the webhook URL has no ?token= query parameter; register it with the tenant's Shippo token")
        }
        guard ConstantTime.equals(token, secret) else {
            throw .badSignature("the ?token= query parameter is not the tenant's Shippo webhook token")
        }
    }

    func decode(_ request: InboundRequest) throws(InboundError) -> InboundWebhook {
        let payload = try JSONPayload.decode(ShippoPayload.self, from: request.body, provider: name)
        let number = try TrackingNumber.required(payload.trackingNumber, field: "data.tracking_number", provider: name)
        // The current status is usually the newest history entry too; exact repeats are merged.
        let statuses = payload.history + (payload.current.map { [$0] } ?? [])
        let events = statuses.compactMap { entry -> ProviderEvent? in
            guard let time = entry.time else { return nil }
            return ProviderEvent(
                time: time, meaning: ShippoStatus.meaning(status: entry.status, substatus: entry.substatus),
                rawCode: RawCode.joined(entry.status, entry.substatus), message: entry.details ?? "",
                place: ProviderPlace.make(city: entry.city, region: entry.state, country: entry.country))
        }
        let stated = payload.current.flatMap { current in
            StatedStatus(
                ShippoStatus.meaning(status: current.status, substatus: current.substatus),
                rawCode: RawCode.joined(current.status, current.substatus), message: current.details, time: current.time)
        }
        return InboundWebhook(eventID: nil, updates: [InboundUpdate(
            trackingNumber: number, carrier: CarrierCodes.waymarkCode(for: payload.carrier),
            events: ProviderEvent.checkpoints(events, stated: stated, source: name), eta: payload.eta?.day)])
    }
}
