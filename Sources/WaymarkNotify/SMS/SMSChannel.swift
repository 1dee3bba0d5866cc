import Foundation
import WaymarkCore

/// Texts to shoppers: rendered by the composer, kept within the segment cap, held back during
/// the tenant's quiet hours, and sent through the transport.
public struct SMSChannel: DeliveryChannel {
    let composer: any MessageComposer
    let transport: any SMSTransport
    /// The most segments one text may take; longer texts are shortened, the link kept.
    let maxSegments: Int
    let now: @Sendable () -> Date

    public init(composer: any MessageComposer, transport: any SMSTransport, maxSegments: Int = 3, now: @escaping @Sendable () -> Date = Date.init) {
        self.composer = composer
        self.transport = transport
        self.maxSegments = maxSegments
        self.now = now
    }

    public func send(_ claimed: ClaimedDelivery) async -> SendOutcome {
        let quiet = QuietHours(start: claimed.settings.quietHoursStart, end: claimed.settings.quietHoursEnd,
                               timeZone: TimeZone(identifier: claimed.tenant.timeZone) ?? .gmt)
        if let until = quiet.postponement(for: now()) { return .postponed(until: until) }
        let text: String
        do {
            text = SMSSegments.fitting(try await composer.sms(for: claimed), maxSegments: maxSegments)
        } catch {
            return .failed(SendFailure(error: "the text could not be rendered: \(error)", permanent: true))
        }
        switch await transport.send(to: claimed.delivery.recipient, from: claimed.settings.smsFrom, body: text) {
        case .accepted(let status, _): return .delivered(httpStatus: status)
        case .failed(let failure): return .failed(failure)
        }
    }
}
