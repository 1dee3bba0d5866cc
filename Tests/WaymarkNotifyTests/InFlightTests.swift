import Foundation
import Testing
import WaymarkCore
@testable import WaymarkNotify

/// The dispatcher's count of sends under way, and what it lets the next claim take.
@Suite("In-flight caps")
struct InFlightTests {
    static let configuration = DispatcherConfiguration(maximumConcurrentSends: 64, maximumInFlightPerEndpoint: 4, maximumInFlightPerTenant: 16)

    static func delivery(tenant: Int64, _ channel: NotificationChannel, to recipient: String) -> Delivery {
        let date = Date(timeIntervalSince1970: 1_749_988_800)
        return Delivery(
            id: Delivery.newID(), tenantID: tenant, shipmentID: nil, channel: channel, recipient: recipient, triggerKey: "t",
            eventType: "shipment.created", payload: "{}", nextAttemptAt: date, createdAt: date, updatedAt: date)
    }

    @Test("a claim takes no more than the endpoint or tenant nearest its cap still has room for")
    func claimLimit() {
        var inFlight = InFlight()
        // A claim never takes more than one endpoint may have under way: they may all be for one.
        #expect(inFlight.room(Self.configuration) == .init(free: 64, busyEndpoints: [], busyTenants: [], limit: 4))
        func admit(_ delivery: Delivery) -> Bool { inFlight.admit(delivery, Self.configuration) }
        #expect((0..<3).allSatisfy { _ in admit(Self.delivery(tenant: 1, .webhook, to: "ep_a")) })
        // Three of ep_a's four under way: one more row, not four of which three go back.
        #expect(inFlight.room(Self.configuration) == .init(free: 61, busyEndpoints: [], busyTenants: [], limit: 1))
        #expect(admit(Self.delivery(tenant: 1, .webhook, to: "ep_a")))
        #expect(!admit(Self.delivery(tenant: 1, .webhook, to: "ep_a")))
        // At its cap, ep_a is left out of the claim and no longer limits it.
        #expect(inFlight.room(Self.configuration) == .init(free: 60, busyEndpoints: ["ep_a"], busyTenants: [], limit: 4))
        #expect((0..<11).allSatisfy { admit(Self.delivery(tenant: 1, .email, to: "s\($0)@example.com")) })
        #expect(inFlight.room(Self.configuration) == .init(free: 49, busyEndpoints: ["ep_a"], busyTenants: [], limit: 1))
        let last = Self.delivery(tenant: 1, .sms, to: "+15555550100")
        #expect(admit(last))
        #expect(inFlight.room(Self.configuration) == .init(free: 48, busyEndpoints: ["ep_a"], busyTenants: [1], limit: 4))
        inFlight.finish(last)
        #expect(inFlight.room(Self.configuration).limit == 1)
    }
}
