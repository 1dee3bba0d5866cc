import Foundation

/// What the tracking page says about "when": the delivery date once delivered, otherwise the
/// carrier's estimate, flagged as late once its day has passed.
public enum DeliveryEstimate: Equatable, Sendable {
    case deliveredOn(Date)
    case expected(Date)
    case late(originallyExpected: Date)
    case unknown
    /// Nothing to promise: the shipment expired or came back.
    case none

    public static func describe(
        status: DeliveryStatus, eta: Date?, deliveredAt: Date?, now: Date, calendar: Calendar
    ) -> DeliveryEstimate {
        switch status {
        case .delivered:
            return deliveredAt.map { .deliveredOn($0) } ?? .none
        case .expired:
            return .none
        case .outForDelivery where eta.map({ calendar.startOfDay(for: $0) > calendar.startOfDay(for: now) }) == true:
            // With the driver: it arrives today, not on the later day an older estimate named
            // (the page says "should arrive today" and must not show another date beside it).
            return .expected(now)
        default:
            guard let eta else { return .unknown }
            // An ETA is a day, not an instant: it is late only once that whole day has passed.
            let endOfDay = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: eta)) ?? eta
            return now >= endOfDay ? .late(originallyExpected: eta) : .expected(eta)
        }
    }
}
