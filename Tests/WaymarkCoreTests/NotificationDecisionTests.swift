import Foundation
import Testing
import WaymarkCore

@Suite("Notification decisions")
struct NotificationDecisionTests {
    let now = Date(timeIntervalSince1970: 1_795_780_800)

    func shipment(_ status: DeliveryStatus, _ substatus: Substatus? = nil, eta: Date? = nil, lastEventAt: Date? = nil) -> Shipment {
        Shipment(id: "shp_1", tenantID: 1, trackingNumber: "1Z1", carrier: "ups", status: status, substatus: substatus, eta: eta,
                 lastEventAt: lastEventAt, token: "TOKENTOKENTOKENTOKENTOKE", createdAt: now, updatedAt: now)
    }

    let audience = NotificationAudience(
        emails: ["jane@example.com"], phones: ["+14155550123"],
        endpoints: [
            WebhookSubscription(endpointID: "ep_all", eventTypes: ["shipment.created", "shipment.status_changed", "shipment.stalled"]),
            WebhookSubscription(endpointID: "ep_delivered", eventTypes: ["shipment.status_changed"], statuses: [.delivered]),
        ])

    @Test("A new shipment is 'created' for webhooks only")
    func created() {
        let triggers = NotificationDecision.triggers(before: nil, after: shipment(.pending), newCheckpoints: [])
        #expect(triggers == [.created])
        let planned = NotificationDecision.plan(triggers, rules: .defaults, audience: audience)
        #expect(planned == [PlannedNotification(channel: .webhook, recipient: "ep_all", trigger: .created)])
    }

    @Test("Entering out_for_delivery sends email, SMS and the webhooks that want it, once each")
    func outForDelivery() {
        let triggers = NotificationDecision.triggers(before: shipment(.inTransit), after: shipment(.outForDelivery), newCheckpoints: ["fp1"])
        #expect(triggers.contains(.statusEntered(.outForDelivery, nil)))
        #expect(triggers.contains(.checkpointAdded(fingerprint: "fp1")))
        let planned = NotificationDecision.plan(triggers + triggers, rules: .defaults, audience: audience)
        let channels = planned.filter { $0.trigger == .statusEntered(.outForDelivery, nil) }.map(\.channel)
        #expect(channels.sorted { $0.rawValue < $1.rawValue } == [.email, .sms, .webhook])
        #expect(!planned.contains { $0.recipient == "ep_delivered" }, "that endpoint wants delivered only")
        #expect(Set(planned).count == planned.count)
    }

    @Test("Default rules: which statuses email and text the shopper", arguments: DeliveryStatus.allCases)
    func defaults(status: DeliveryStatus) {
        let trigger = NotificationTrigger.statusEntered(status, nil)
        let channels = Set(NotificationDecision.plan([trigger], rules: .defaults, audience: audience).map(\.channel))
        let emails: Set<DeliveryStatus> = [.inTransit, .outForDelivery, .attemptFail, .availableForPickup, .delivered, .exception]
        #expect(channels.contains(.email) == emails.contains(status))
        #expect(channels.contains(.sms) == [.outForDelivery, .delivered].contains(status))
    }

    @Test("A substatus change notifies the shopper only where that substatus has its own rule")
    func substatusRules() {
        let delayed = Substatus(status: .exception, reason: "delayed")
        let customs = Substatus(status: .exception, reason: "customs_hold")
        let triggers = NotificationDecision.triggers(before: shipment(.exception, delayed), after: shipment(.exception, customs), newCheckpoints: [])
        #expect(triggers == [.substatusEntered(customs)])
        #expect(NotificationDecision.plan(triggers, rules: .defaults, audience: audience).allSatisfy { $0.channel == .webhook })
        var rules = NotificationRules.defaults
        rules.substatusChannels[customs] = [.email, .sms]
        #expect(Set(NotificationDecision.plan(triggers, rules: rules, audience: audience).map(\.channel)) == [.email, .sms, .webhook])
    }

    @Test("Stalled: an active shipment quiet for the configured days; never a final, pending or exception one")
    func stalled() {
        let quiet = now.addingTimeInterval(-3 * 86_400 - 1)
        #expect(NotificationDecision.stalledTrigger(shipment(.inTransit, lastEventAt: quiet), rules: .defaults, now: now) == .stalled(since: quiet))
        #expect(NotificationDecision.stalledTrigger(shipment(.inTransit, lastEventAt: now.addingTimeInterval(-86_400)), rules: .defaults, now: now) == nil)
        for status in [DeliveryStatus.delivered, .expired, .pending, .exception] {
            #expect(NotificationDecision.stalledTrigger(shipment(status, lastEventAt: quiet), rules: .defaults, now: now) == nil, "\(status)")
        }
        // The key names the quiet spell, so the same stall never notifies twice but a new one does.
        #expect(NotificationTrigger.stalled(since: quiet).key != NotificationTrigger.stalled(since: quiet.addingTimeInterval(60)).key)
    }

    @Test("A changed ETA is a trigger while the shipment is active; keys tell days apart")
    func eta() {
        let day = Date(timeIntervalSince1970: 1_796_083_200)
        let triggers = NotificationDecision.triggers(before: shipment(.inTransit, eta: nil), after: shipment(.inTransit, eta: day), newCheckpoints: [])
        #expect(triggers == [.etaChanged(to: day)])
        #expect(NotificationTrigger.etaChanged(to: day).key == "eta:2026-12-01")
        #expect(NotificationDecision.plan(triggers, rules: .defaults, audience: audience).isEmpty, "ETA emails are off by default")
        #expect(NotificationDecision.triggers(before: shipment(.delivered, eta: nil), after: shipment(.delivered, eta: day), newCheckpoints: []).isEmpty)
    }
}
