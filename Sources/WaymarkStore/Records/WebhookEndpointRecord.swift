import Foundation
import GRDB
import WaymarkCore

/// A row of `webhook_endpoint`: a merchant's URL, the event types and statuses it hears about
/// (JSON arrays), its signing secrets and its health.
struct WebhookEndpointRecord: Codable, StoredRecord, PersistableRecord, Identifiable {
    static let databaseTableName = "webhook_endpoint"

    var id: String
    var tenantID: Int64
    var url: String
    /// A JSON array of event types.
    var eventTypes: String
    /// A JSON array of statuses; empty for every status.
    var statuses: String
    var description: String?
    var secret: String
    var previousSecret: String?
    var previousSecretExpiresAt: Date?
    var failingSince: Date?
    var disabledAt: Date?
    var disabledReason: String?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", url, eventTypes = "event_types", statuses, description, secret
        case previousSecret = "previous_secret", previousSecretExpiresAt = "previous_secret_expires_at"
        case failingSince = "failing_since", disabledAt = "disabled_at", disabledReason = "disabled_reason"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let url = Column(CodingKeys.url)
        static let eventTypes = Column(CodingKeys.eventTypes)
        static let statuses = Column(CodingKeys.statuses)
        static let description = Column(CodingKeys.description)
        static let secret = Column(CodingKeys.secret)
        static let previousSecret = Column(CodingKeys.previousSecret)
        static let previousSecretExpiresAt = Column(CodingKeys.previousSecretExpiresAt)
        static let failingSince = Column(CodingKeys.failingSince)
        static let disabledAt = Column(CodingKeys.disabledAt)
        static let disabledReason = Column(CodingKeys.disabledReason)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    /// The row for a new endpoint.
    init(_ endpoint: WebhookEndpoint) throws {
        id = endpoint.id
        tenantID = endpoint.tenantID
        url = endpoint.url
        eventTypes = try JSONText.encode(endpoint.eventTypes)
        statuses = try JSONText.encode(endpoint.statuses)
        description = endpoint.description
        secret = endpoint.secret
        previousSecret = endpoint.previousSecret
        previousSecretExpiresAt = endpoint.previousSecretExpiresAt
        failingSince = endpoint.failingSince
        disabledAt = endpoint.disabledAt
        disabledReason = endpoint.disabledReason
        createdAt = endpoint.createdAt
        updatedAt = endpoint.updatedAt
    }

    /// The endpoint this row holds.
    func endpoint() throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: id, tenantID: tenantID, url: url, eventTypes: try json([String].self, eventTypes, column: CodingKeys.eventTypes),
            statuses: try json([DeliveryStatus].self, statuses, column: CodingKeys.statuses), description: description,
            secret: secret, previousSecret: previousSecret, previousSecretExpiresAt: previousSecretExpiresAt,
            failingSince: failingSince, disabledAt: disabledAt, disabledReason: disabledReason, createdAt: createdAt, updatedAt: updatedAt)
    }
}
