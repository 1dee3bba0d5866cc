import Foundation
import PostgresNIO
import WaymarkCore

// A merchant's webhook endpoints and the API's remembered responses on PostgreSQL: the same
// promises as `WebhookEndpoints.swift` and `IdempotencyKeys.swift` for SQLite. Every write is
// one statement, so nodes writing at once need nothing more than PostgreSQL's row locks.

extension PostgresStore: WebhookEndpointStore {
    /// Saves a new endpoint. The URL must already have passed the SSRF check and the event types
    /// validation; `secret` is a fresh `whsec_` secret.
    public func createWebhookEndpoint(
        tenantID: Int64, url: String, eventTypes: [String], statuses: [DeliveryStatus], description: String?, secret: String, now: Date
    ) async throws -> WebhookEndpoint {
        let endpoint = WebhookEndpoint(
            id: WebhookEndpoint.newID(), tenantID: tenantID, url: url, eventTypes: eventTypes, statuses: statuses,
            description: description, secret: secret, createdAt: now, updatedAt: now)
        let insert = try WebhookEndpointRecord(endpoint).postgresInsert()
        try await run { c in try await c.run(insert) }
        return endpoint
    }

    public func webhookEndpoints(tenantID: Int64) async throws -> [WebhookEndpoint] {
        try await run { c in
            try await c.run("SELECT * FROM webhook_endpoint WHERE tenant_id = \(tenantID) ORDER BY created_at, id COLLATE \"C\"")
                .records(WebhookEndpointRecord.self).map { try $0.endpoint() }
        }
    }

    public func webhookEndpoint(tenantID: Int64, id: String) async throws -> WebhookEndpoint? {
        try await run { c in
            try await c.run("SELECT * FROM webhook_endpoint WHERE tenant_id = \(tenantID) AND id = \(id)").record(WebhookEndpointRecord.self)?
                .endpoint()
        }
    }

    /// Deletes an endpoint and, with it, its deliveries and their attempts (`ON DELETE CASCADE`).
    /// False when the tenant has no such endpoint.
    public func deleteWebhookEndpoint(tenantID: Int64, id: String) async throws -> Bool {
        try await run { c in
            try await c.run("DELETE FROM webhook_endpoint WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING 1").value(Int32.self) != nil
        }
    }

    /// Replaces the signing secret; the old one keeps signing for the grace period. Nil when the
    /// tenant has no such endpoint. Two rotations at once take turns on the row: the second
    /// keeps the first's new secret as the previous one, as when they come one after the other.
    public func rotateWebhookSecret(tenantID: Int64, id: String, newSecret: String, now: Date) async throws -> WebhookEndpoint? {
        let expires = now.addingTimeInterval(WebhookEndpoint.rotationGracePeriod)
        return try await run { c in
            try await c.run("""
                UPDATE webhook_endpoint SET previous_secret = secret, previous_secret_expires_at = \(expires), secret = \(newSecret),
                    updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING *
                """).record(WebhookEndpointRecord.self)?.endpoint()
        }
    }

    /// Turns an endpoint back on after it was disabled, clearing its failure record.
    public func enableWebhookEndpoint(tenantID: Int64, id: String, now: Date) async throws -> Bool {
        try await run { c in
            try await c.run("""
                UPDATE webhook_endpoint SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL, updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING 1
                """).value(Int32.self) != nil
        }
    }
}

extension PostgresStore: IdempotencyStore {
    public func storedResponse(tenantID: Int64, key: String) async throws -> StoredResponse? {
        try await run { c in
            try await c.run("SELECT * FROM idempotency_key WHERE tenant_id = \(tenantID) AND key = \(key)").record(IdempotencyKeyRecord.self)?
                .response
        }
    }

    /// Remembers the first response for a key; a concurrent twin that lost the race (on this node
    /// or another) keeps its own.
    public func storeResponse(tenantID: Int64, key: String, _ response: StoredResponse, now: Date) async throws {
        try await run { c in
            try await c.run("""
                INSERT INTO idempotency_key (tenant_id, key, request_sha256, response_status, response_body, created_at)
                VALUES (\(tenantID), \(key), \(response.requestSHA256), \(response.status), \(Data(response.body)), \(now))
                ON CONFLICT (tenant_id, key) DO NOTHING
                """)
        }
    }
}
