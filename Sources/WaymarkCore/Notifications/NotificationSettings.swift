import Foundation

/// A tenant's choices about messages to shoppers: the rules, who signs them, and when texts may
/// go out.
public struct NotificationSettings: Sendable, Equatable {
    public var rules: NotificationRules
    /// Whether the contacts given when a shipment is created are subscribed to its updates.
    public var subscribeContacts: Bool
    /// Whether the tracking page offers shoppers the "get updates" form.
    public var selfSubscription: Bool
    /// The name shoppers see as the sender; the tenant's name when nil.
    public var senderName: String?
    /// The From address; the server's default sender when nil.
    public var senderEmail: String?
    public var replyTo: String?
    /// The SMS sender (a number or an alphanumeric id); the server's default when nil.
    public var smsFrom: String?
    /// Local hours, in the tenant's time zone, when texts wait: from `quietHoursStart` to
    /// `quietHoursEnd` (equal: never quiet).
    public var quietHoursStart: Int
    public var quietHoursEnd: Int

    public init(
        rules: NotificationRules = .defaults, subscribeContacts: Bool = true, selfSubscription: Bool = true, senderName: String? = nil, senderEmail: String? = nil,
        replyTo: String? = nil, smsFrom: String? = nil, quietHoursStart: Int = 21, quietHoursEnd: Int = 8
    ) {
        self.rules = rules
        self.subscribeContacts = subscribeContacts
        self.selfSubscription = selfSubscription
        self.senderName = senderName
        self.senderEmail = senderEmail
        self.replyTo = replyTo
        self.smsFrom = smsFrom
        self.quietHoursStart = quietHoursStart
        self.quietHoursEnd = quietHoursEnd
    }
}

extension NotificationRules {
    /// The parts of the rules a tenant changed, as stored and as the API takes them; what is
    /// absent keeps the default.
    public struct Overrides: Codable, Sendable, Equatable {
        public var email_statuses: [DeliveryStatus]?
        public var sms_statuses: [DeliveryStatus]?
        /// `{"exception.customs_hold": ["email", "sms"]}`
        public var substatus_channels: [String: [NotificationChannel]]?
        public var email_when_stalled: Bool?
        public var email_when_eta_changes: Bool?

        public init(
            email_statuses: [DeliveryStatus]? = nil, sms_statuses: [DeliveryStatus]? = nil,
            substatus_channels: [String: [NotificationChannel]]? = nil, email_when_stalled: Bool? = nil, email_when_eta_changes: Bool? = nil
        ) {
            self.email_statuses = email_statuses
            self.sms_statuses = sms_statuses
            self.substatus_channels = substatus_channels
            self.email_when_stalled = email_when_stalled
            self.email_when_eta_changes = email_when_eta_changes
        }
    }

    /// The defaults with a tenant's overrides applied. Substatus keys that don't parse are ignored.
    public init(_ overrides: Overrides, stalledAfterDays: Int) {
        var rules = NotificationRules.defaults
        if let statuses = overrides.email_statuses { rules.emailStatuses = Set(statuses) }
        if let statuses = overrides.sms_statuses { rules.smsStatuses = Set(statuses) }
        if let channels = overrides.substatus_channels {
            rules.substatusChannels = Dictionary(uniqueKeysWithValues: channels.compactMap { key, value in
                (try? Substatus(parsing: key)).map { ($0, Set(value)) }
            })
        }
        if let stalled = overrides.email_when_stalled { rules.emailWhenStalled = stalled }
        if let eta = overrides.email_when_eta_changes { rules.emailWhenETAChanges = eta }
        rules.stalledAfterDays = stalledAfterDays
        self = rules
    }
}
