import Foundation

/// The ways Waymark tells someone about a shipment.
public enum NotificationChannel: String, CaseIterable, Codable, Sendable {
    /// The shopper, by email.
    case email
    /// The shopper, by text message.
    case sms
    /// The merchant's own systems, by signed webhook.
    case webhook
}

/// A merchant's choice of what tells the shopper: which statuses (or, finer, which substatuses)
/// send an email or a text, and after how many quiet days a shipment counts as stalled.
public struct NotificationRules: Sendable, Equatable {
    /// Statuses whose entry sends an email.
    public var emailStatuses: Set<DeliveryStatus>
    /// Statuses whose entry sends a text, when a phone number is known.
    public var smsStatuses: Set<DeliveryStatus>
    /// Substatuses with a rule of their own: entering one notifies on these channels even when
    /// the status was already the same (e.g. `exception.customs_hold` after `exception.delayed`).
    public var substatusChannels: [Substatus: Set<NotificationChannel>]
    /// An active shipment with no new checkpoint for this many days is stalled.
    public var stalledAfterDays: Int
    /// Whether a stalled shipment sends a "we are on it" email.
    public var emailWhenStalled: Bool
    /// Whether a changed ETA sends an email.
    public var emailWhenETAChanges: Bool

    public init(
        emailStatuses: Set<DeliveryStatus>, smsStatuses: Set<DeliveryStatus>, substatusChannels: [Substatus: Set<NotificationChannel>] = [:],
        stalledAfterDays: Int = 3, emailWhenStalled: Bool = true, emailWhenETAChanges: Bool = false
    ) {
        self.emailStatuses = emailStatuses
        self.smsStatuses = smsStatuses
        self.substatusChannels = substatusChannels
        self.stalledAfterDays = stalledAfterDays
        self.emailWhenStalled = emailWhenStalled
        self.emailWhenETAChanges = emailWhenETAChanges
    }

    /// What a new merchant gets: email on every status a shopper cares about, SMS for the two
    /// moments that matter most, stalled after 3 days.
    public static let defaults = NotificationRules(
        emailStatuses: [.inTransit, .outForDelivery, .attemptFail, .availableForPickup, .delivered, .exception],
        smsStatuses: [.outForDelivery, .delivered])
}
