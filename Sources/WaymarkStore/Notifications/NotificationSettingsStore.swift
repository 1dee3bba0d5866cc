import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    public func notificationSettings(tenantID: Int64) async throws -> NotificationSettings {
        try await read { db in try notificationSettings(db, tenantID: tenantID) }
    }

    /// Changes the settings given; nil leaves one as it is (use an empty string to clear a sender field).
    public func updateNotificationSettings(
        tenantID: Int64, rules: NotificationRules.Overrides? = nil, stalledAfterDays: Int? = nil, subscribeContacts: Bool? = nil,
        selfSubscription: Bool? = nil, senderName: String? = nil, senderEmail: String? = nil, replyTo: String? = nil, smsFrom: String? = nil,
        quietHours: (start: Int, end: Int)? = nil, now: Date = Date()
    ) async throws {
        try await write { db in
            func set(_ column: String, _ value: (any DatabaseValueConvertible)?) throws {
                try db.execute(sql: "UPDATE tenant SET \(column) = ?, updated_at = ? WHERE id = ?", arguments: [value, now, tenantID])
            }
            func text(_ value: String) -> String? { value.isEmpty ? nil : value }
            if let rules { try set("notification_rules", JSONText.encode(rules)) }
            if let stalledAfterDays { try set("stalled_after_days", stalledAfterDays) }
            if let subscribeContacts { try set("subscribe_contacts", subscribeContacts) }
            if let selfSubscription { try set("self_subscription", selfSubscription) }
            if let senderName { try set("sender_name", text(senderName)) }
            if let senderEmail { try set("sender_email", text(senderEmail)) }
            if let replyTo { try set("reply_to", text(replyTo)) }
            if let smsFrom { try set("sms_from", text(smsFrom)) }
            if let quietHours {
                try set("quiet_hours_start", quietHours.start)
                try set("quiet_hours_end", quietHours.end)
            }
        }
    }

    func notificationSettings(_ db: Database, tenantID: Int64) throws -> NotificationSettings {
        guard let tenant = try TenantRecord.fetchOne(db, sql: "SELECT * FROM tenant WHERE id = ?", arguments: [tenantID]) else {
            throw StoreError.tenantNotFound("#\(tenantID)")
        }
        return try tenant.notificationSettings()
    }
}
