import Testing
import WaymarkCore

@Suite("Milestone")
struct MilestoneTests {
    typealias S = Milestone.StepState

    @Test("The progress bar has four steps in journey order for every status")
    func stepOrder() {
        for status in DeliveryStatus.allCases {
            #expect(Milestone.steps(for: status).map(\.milestone) == [.infoReceived, .inTransit, .outForDelivery, .delivered])
        }
    }

    @Test(
        "Each status puts the bar where it belongs",
        arguments: [
            (DeliveryStatus.pending, [S.upcoming, .upcoming, .upcoming, .upcoming]),
            (.expired, [.upcoming, .upcoming, .upcoming, .upcoming]),
            (.infoReceived, [.current, .upcoming, .upcoming, .upcoming]),
            (.inTransit, [.done, .current, .upcoming, .upcoming]),
            (.exception, [.done, .current, .upcoming, .upcoming]),
            (.outForDelivery, [.done, .done, .current, .upcoming]),
            (.attemptFail, [.done, .done, .current, .upcoming]),
            (.availableForPickup, [.done, .done, .current, .upcoming]),
            (.delivered, [.done, .done, .done, .done]),
        ]
    )
    func steps(status: DeliveryStatus, expected: [S]) {
        #expect(Milestone.steps(for: status).map(\.state) == expected)
    }

    @Test("Only exception, attempt_fail and expired interrupt the journey")
    func interrupted() {
        #expect(DeliveryStatus.allCases.filter(Milestone.isInterrupted) == [.attemptFail, .exception, .expired])
    }
}
