import Foundation

/// The merchant's webhook endpoints.
public protocol WebhookEndpointStore: Sendable {
    func createWebhookEndpoint(
        tenantID: Int64, url: String, eventTypes: [String], statuses: [DeliveryStatus], description: String?, secret: String, now: Date
    ) async throws -> WebhookEndpoint
    func webhookEndpoints(tenantID: Int64) async throws -> [WebhookEndpoint]
    func webhookEndpoint(tenantID: Int64, id: String) async throws -> WebhookEndpoint?
    func deleteWebhookEndpoint(tenantID: Int64, id: String) async throws -> Bool
    /// Replaces the signing secret; nil for an unknown endpoint.
    func rotateWebhookSecret(tenantID: Int64, id: String, newSecret: String, now: Date) async throws -> WebhookEndpoint?
    /// Turns a disabled endpoint back on; false for an unknown one.
    func enableWebhookEndpoint(tenantID: Int64, id: String, now: Date) async throws -> Bool
}
