import Foundation
import GRDB
import WaymarkCore

/// A merchant's webhook endpoints, always reached through their tenant.
extension AppDatabase {
    /// Saves a new endpoint. The URL must already have passed the SSRF check and the event types
    /// validation; `secret` is a fresh `whsec_` secret.
    public func createWebhookEndpoint(
        tenantID: Int64, url: String, eventTypes: [String], statuses: [DeliveryStatus] = [], description: String? = nil,
        secret: String, now: Date = Date()
    ) async throws -> WebhookEndpoint {
        let endpoint = WebhookEndpoint(
            id: WebhookEndpoint.newID(), tenantID: tenantID, url: url, eventTypes: eventTypes, statuses: statuses,
            description: description, secret: secret, createdAt: now, updatedAt: now)
        try await write { db in
            try WebhookEndpointRecord(endpoint).insert(db)
        }
        return endpoint
    }

    public func webhookEndpoints(tenantID: Int64) async throws -> [WebhookEndpoint] {
        try await read { db in
            try WebhookEndpointRecord.fetchAll(db, sql: "SELECT * FROM webhook_endpoint WHERE tenant_id = ? ORDER BY created_at, id", arguments: [tenantID])
                .map { try $0.endpoint() }
        }
    }

    public func webhookEndpoint(tenantID: Int64, id: String) async throws -> WebhookEndpoint? {
        try await read { db in
            try WebhookEndpointRecord.fetchOne(db, sql: "SELECT * FROM webhook_endpoint WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])?
                .endpoint()
        }
    }

    /// Deletes an endpoint and, with it, its deliveries and their attempts. False when the
    /// tenant has no such endpoint.
    public func deleteWebhookEndpoint(tenantID: Int64, id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM webhook_endpoint WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            return db.changesCount == 1
        }
    }

    /// Replaces the signing secret; the old one keeps signing too for the grace period, so
    /// receivers can switch without dropping a message. Nil when the tenant has no such endpoint.
    public func rotateWebhookSecret(tenantID: Int64, id: String, newSecret: String, now: Date = Date()) async throws -> WebhookEndpoint? {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhook_endpoint SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?, updated_at = ?
                WHERE tenant_id = ? AND id = ?
                """, arguments: [now.addingTimeInterval(WebhookEndpoint.rotationGracePeriod), newSecret, now, tenantID, id])
            guard db.changesCount == 1 else { return nil }
            return try WebhookEndpointRecord.fetchOne(db, sql: "SELECT * FROM webhook_endpoint WHERE id = ?", arguments: [id])?.endpoint()
        }
    }

    /// Turns an endpoint back on after it was disabled, clearing its failure record.
    public func enableWebhookEndpoint(tenantID: Int64, id: String, now: Date = Date()) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE webhook_endpoint SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL, updated_at = ?
                WHERE tenant_id = ? AND id = ?
                """, arguments: [now, tenantID, id])
            return db.changesCount == 1
        }
    }
}
