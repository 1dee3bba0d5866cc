/// The four steps of the progress bar on the tracking page.
public enum Milestone: String, CaseIterable, Sendable {
    case infoReceived = "info_received"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case delivered

    public enum StepState: String, Sendable {
        case done, current, upcoming
    }

    /// Each step's state for a status. Side statuses sit on the step they interrupt:
    /// a failed attempt or a pickup point on "out for delivery", an exception on "in transit".
    public static func steps(for status: DeliveryStatus) -> [(milestone: Milestone, state: StepState)] {
        let reached: Int? = switch status {
        case .pending, .expired: nil
        case .infoReceived: 0
        case .inTransit, .exception: 1
        case .outForDelivery, .attemptFail, .availableForPickup: 2
        case .delivered: 3
        }
        return allCases.enumerated().map { index, milestone in
            guard let reached else { return (milestone, .upcoming) }
            if status == .delivered || index < reached { return (milestone, .done) }
            return (milestone, index == reached ? .current : .upcoming)
        }
    }

    /// Whether the journey is interrupted at the current step (shown as a warning, not progress).
    public static func isInterrupted(_ status: DeliveryStatus) -> Bool {
        status == .exception || status == .attemptFail || status == .expired
    }
}
