import Foundation
import WaymarkCore

/// A webhook endpoint as the API shows it. The signing secret appears only in the answers to
/// create and rotate-secret, the moments the merchant must copy it; lists and reads leave it out.
struct WebhookEndpointResource: Encodable, Sendable {
    let id: String
    let url: String
    let events: [String]
    let statuses: [String]
    let description: String?
    let enabled: Bool
    let disabled_at: String?
    let disabled_reason: String?
    let failing_since: String?
    let previous_secret_expires_at: String?
    let created_at: String
    let updated_at: String
    let secret: String?

    init(_ endpoint: WebhookEndpoint, showingSecret: Bool = false, now: Date) {
        id = endpoint.id
        url = endpoint.url
        events = endpoint.eventTypes
        statuses = endpoint.statuses.map(\.rawValue)
        description = endpoint.description
        enabled = endpoint.disabledAt == nil
        disabled_at = endpoint.disabledAt.map { RFC3339.format($0) }
        disabled_reason = endpoint.disabledReason
        failing_since = endpoint.failingSince.map { RFC3339.format($0) }
        // Only while the old secret still signs: after that it is history the merchant can't use.
        previous_secret_expires_at = endpoint.previousSecretExpiresAt.flatMap { $0 > now ? RFC3339.format($0) : nil }
        created_at = RFC3339.format(endpoint.createdAt)
        updated_at = RFC3339.format(endpoint.updatedAt)
        secret = showingSecret ? endpoint.secret : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, statuses, description, enabled, disabled_at, disabled_reason, failing_since
        case previous_secret_expires_at, created_at, updated_at, secret
    }

    // Absent values are written as null (clients test for null), except `secret`, which is left
    // out entirely where it isn't shown.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(events, forKey: .events)
        try container.encode(statuses, forKey: .statuses)
        try container.encode(description, forKey: .description)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(disabled_at, forKey: .disabled_at)
        try container.encode(disabled_reason, forKey: .disabled_reason)
        try container.encode(failing_since, forKey: .failing_since)
        try container.encode(previous_secret_expires_at, forKey: .previous_secret_expires_at)
        try container.encode(created_at, forKey: .created_at)
        try container.encode(updated_at, forKey: .updated_at)
        try container.encodeIfPresent(secret, forKey: .secret)
    }
}

/// `GET /api/v1/webhook-endpoints`: every endpoint of the tenant (there are few; no paging).
struct WebhookEndpointList: Encodable, Sendable {
    let data: [WebhookEndpointResource]
}
