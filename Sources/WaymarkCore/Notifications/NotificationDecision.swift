import Foundation

/// One message to send: on which channel, to whom (an address, a phone number or an endpoint
/// id), and why.
public struct PlannedNotification: Hashable, Sendable {
    public var channel: NotificationChannel
    public var recipient: String
    public var trigger: NotificationTrigger

    public init(channel: NotificationChannel, recipient: String, trigger: NotificationTrigger) {
        self.channel = channel
        self.recipient = recipient
        self.trigger = trigger
    }
}

/// A merchant endpoint as the decision needs it: its id and the event types it wants
/// (`shipment.status_changed`, optionally narrowed to statuses).
public struct WebhookSubscription: Hashable, Sendable {
    public var endpointID: String
    public var eventTypes: Set<String>
    /// Empty: every status; otherwise `shipment.status_changed` only for these.
    public var statuses: Set<DeliveryStatus>

    public init(endpointID: String, eventTypes: Set<String>, statuses: Set<DeliveryStatus> = []) {
        self.endpointID = endpointID
        self.eventTypes = eventTypes
        self.statuses = statuses
    }
}

/// Who can be told about a shipment, after unsubscribes and suppressions are taken out.
public struct NotificationAudience: Sendable, Equatable {
    public var emails: [String]
    public var phones: [String]
    public var endpoints: [WebhookSubscription]

    public init(emails: [String] = [], phones: [String] = [], endpoints: [WebhookSubscription] = []) {
        self.emails = emails
        self.phones = phones
        self.endpoints = endpoints
    }
}

/// Pure decisions: what changed about a shipment, and who is due a message for it.
public enum NotificationDecision {
    /// The triggers a change raises. `before` is nil for a new shipment; `newCheckpoints` are
    /// the fingerprints stored by this change.
    public static func triggers(before: Shipment?, after: Shipment, newCheckpoints: [String]) -> [NotificationTrigger] {
        guard let before else { return [.created] }
        var triggers: [NotificationTrigger] = newCheckpoints.map { .checkpointAdded(fingerprint: $0) }
        if before.status != after.status {
            triggers.append(.statusEntered(after.status, after.substatus))
        } else if before.substatus != after.substatus, let substatus = after.substatus {
            triggers.append(.substatusEntered(substatus))
        }
        if before.eta != after.eta, !after.status.isFinal {
            triggers.append(.etaChanged(to: after.eta))
        }
        return triggers
    }

    /// Whether an active shipment has gone quiet for longer than the rules allow.
    public static func stalledTrigger(_ shipment: Shipment, rules: NotificationRules, now: Date) -> NotificationTrigger? {
        guard !shipment.status.isFinal, shipment.status != .pending, shipment.status != .exception,
              let last = shipment.lastEventAt,
              now.timeIntervalSince(last) >= Double(rules.stalledAfterDays) * 86_400
        else { return nil }
        return .stalled(since: last)
    }

    /// Every message due for these triggers under the rules, one per channel and recipient.
    public static func plan(_ triggers: [NotificationTrigger], rules: NotificationRules, audience: NotificationAudience) -> [PlannedNotification] {
        var planned: [PlannedNotification] = []
        for trigger in triggers {
            for channel in shopperChannels(for: trigger, rules: rules) {
                let recipients = channel == .email ? audience.emails : audience.phones
                planned += recipients.map { PlannedNotification(channel: channel, recipient: $0, trigger: trigger) }
            }
            for endpoint in audience.endpoints where wants(endpoint, trigger) {
                planned.append(PlannedNotification(channel: .webhook, recipient: endpoint.endpointID, trigger: trigger))
            }
        }
        // One message per channel, recipient and trigger, whatever the input repeated.
        var seen = Set<PlannedNotification>()
        return planned.filter { seen.insert($0).inserted }
    }

    /// The shopper channels (email, SMS) a trigger notifies on under the rules.
    public static func shopperChannels(for trigger: NotificationTrigger, rules: NotificationRules) -> [NotificationChannel] {
        switch trigger {
        case .created, .checkpointAdded:
            return []
        case .statusEntered(let status, let substatus):
            var channels = Set<NotificationChannel>()
            if rules.emailStatuses.contains(status) { channels.insert(.email) }
            if rules.smsStatuses.contains(status) { channels.insert(.sms) }
            if let substatus, let own = rules.substatusChannels[substatus] { channels.formUnion(own.subtracting([.webhook])) }
            return NotificationChannel.allCases.filter(channels.contains)
        case .substatusEntered(let substatus):
            let own = rules.substatusChannels[substatus, default: []].subtracting([.webhook])
            return NotificationChannel.allCases.filter(own.contains)
        case .stalled:
            return rules.emailWhenStalled ? [.email] : []
        case .etaChanged:
            return rules.emailWhenETAChanges ? [.email] : []
        }
    }

    static func wants(_ endpoint: WebhookSubscription, _ trigger: NotificationTrigger) -> Bool {
        guard endpoint.eventTypes.contains(trigger.webhookEventType) else { return false }
        guard !endpoint.statuses.isEmpty else { return true }
        switch trigger {
        case .statusEntered(let status, _): return endpoint.statuses.contains(status)
        case .substatusEntered(let substatus): return endpoint.statuses.contains(substatus.status)
        default: break
        }
        return true
    }
}
