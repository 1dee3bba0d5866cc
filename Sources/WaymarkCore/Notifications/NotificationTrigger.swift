import Foundation

/// Why a notification is due. Its `key` is what "never twice for the same trigger on the same
/// shipment and channel" compares: the outbox keeps one row per shipment, channel, recipient and key.
public enum NotificationTrigger: Hashable, Sendable {
    case created
    case statusEntered(DeliveryStatus, Substatus?)
    /// The status stayed, the substatus changed: notifies only where that substatus has a rule.
    case substatusEntered(Substatus)
    case checkpointAdded(fingerprint: String)
    /// Stalled since the last checkpoint at this time: a new checkpoint and a new stall is a new trigger.
    case stalled(since: Date)
    case etaChanged(to: Date?)

    public var key: String {
        switch self {
        case .created: "created"
        case .statusEntered(let status, let substatus): "status:" + (substatus?.description ?? status.rawValue)
        case .substatusEntered(let substatus): "status:" + substatus.description
        case .checkpointAdded(let fingerprint): "checkpoint:" + fingerprint
        case .stalled(let since): "stalled:\(Int64(since.timeIntervalSince1970))"
        case .etaChanged(let eta): "eta:" + (eta.map { RFC3339.day($0) } ?? "none")
        }
    }

    /// Reads a stored `key` back. A substatus key reads as `statusEntered` with that substatus:
    /// both render the same message and raise the same webhook event.
    public init?(key: String) {
        guard let colon = key.firstIndex(of: ":") else {
            guard key == "created" else { return nil }
            self = .created
            return
        }
        let kind = key[..<colon], value = String(key[key.index(after: colon)...])
        switch kind {
        case "status":
            if let status = DeliveryStatus(rawValue: value) {
                self = .statusEntered(status, nil)
            } else if let substatus = try? Substatus(parsing: value) {
                self = .statusEntered(substatus.status, substatus)
            } else {
                return nil
            }
        case "checkpoint" where !value.isEmpty:
            self = .checkpointAdded(fingerprint: value)
        case "stalled":
            guard let seconds = Int64(value) else { return nil }
            self = .stalled(since: Date(timeIntervalSince1970: TimeInterval(seconds)))
        case "eta":
            if value == "none" {
                self = .etaChanged(to: nil)
            } else if let day = RFC3339.parseDay(value) {
                self = .etaChanged(to: day)
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    /// The name of the message template that tells a shopper about this trigger: the status
    /// entered (`out_for_delivery`), `stalled` or `eta_changed`.
    public var templateName: String {
        switch self {
        case .created: "created"
        case .statusEntered(let status, _): status.rawValue
        case .substatusEntered(let substatus): substatus.status.rawValue
        case .checkpointAdded: "checkpoint_added"
        case .stalled: "stalled"
        case .etaChanged: "eta_changed"
        }
    }

    /// Whether some rule could send the shopper a message for this trigger; a new shipment and a
    /// new checkpoint are for merchants' webhooks only.
    public var canNotifyShoppers: Bool {
        switch self {
        case .created, .checkpointAdded: false
        case .statusEntered, .substatusEntered, .stalled, .etaChanged: true
        }
    }

    /// The substatus the message should name, if any.
    public var substatus: Substatus? {
        switch self {
        case .statusEntered(_, let substatus): substatus
        case .substatusEntered(let substatus): substatus
        default: nil
        }
    }

    /// The Standard Webhooks event type merchants subscribe to.
    public var webhookEventType: String {
        switch self {
        case .created: "shipment.created"
        case .statusEntered, .substatusEntered: "shipment.status_changed"
        case .checkpointAdded: "shipment.checkpoint_added"
        case .stalled: "shipment.stalled"
        case .etaChanged: "shipment.eta_changed"
        }
    }

    /// Every event type a merchant endpoint can subscribe to.
    public static let webhookEventTypes = [
        "shipment.created", "shipment.status_changed", "shipment.checkpoint_added", "shipment.stalled", "shipment.eta_changed",
    ]
}
