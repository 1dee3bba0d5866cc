import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkNotify
import WaymarkSigning

/// `/api/v1/webhook-endpoints`: the merchant's URLs for signed webhooks — create (the secret is
/// shown once), list, read, delete, rotate the secret, and re-enable an endpoint Waymark turned
/// off after five days of failures (once the receiver is fixed, so deliveries flow again).
struct WebhookEndpointsController {
    let database: any WebhookEndpointStore & IdempotencyStore
    /// The SSRF guard with the server's outbound policy; every saved URL passes it.
    let urlCheck: URLCheck
    let now: @Sendable () -> Date

    /// Enough for any real integration; a cap keeps one tenant from fanning every change out
    /// to hundreds of receivers.
    static let maxEndpointsPerTenant = 20

    func addRoutes(to api: RouterGroup<WaymarkRequestContext>) {
        api.on(.webhookEndpoints, .post, mountedAt: .api, use: create)
        api.on(.webhookEndpoints, .get, mountedAt: .api, use: list)
        api.on(.webhookEndpoint, .get, mountedAt: .api, use: show)
        api.on(.webhookEndpoint, .delete, mountedAt: .api, use: delete)
        api.on(.webhookEndpointSecret, .post, mountedAt: .api, use: rotateSecret)
        api.on(.webhookEndpointEnable, .post, mountedAt: .api, use: enable)
    }

    @Sendable func create(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let body = try await ShipmentsController.collect(request, context)
        return try await Idempotency(database: database, now: now).run(request, body: body, tenantID: tenantID) {
            let input = try ShipmentsController.decodeJSON(WebhookEndpointInput.self, body)
            let draft = try APIProblem.validating { () throws(ValidationErrors) in try input.draft(urlCheck: urlCheck) }
            guard try await database.webhookEndpoints(tenantID: tenantID).count < Self.maxEndpointsPerTenant else {
                throw APIProblem(
                    status: .unprocessableContent, type: "urn:waymark:problem:endpoint-limit", title: "Too many endpoints",
                    detail: "A merchant can have at most \(Self.maxEndpointsPerTenant) webhook endpoints; delete one you no longer use first.")
            }
            let endpoint = try await database.createWebhookEndpoint(
                tenantID: tenantID, url: draft.url, eventTypes: draft.events, statuses: draft.statuses, description: draft.description,
                secret: StandardWebhooks.generateSecret(), now: now())
            return try JSONReply(status: .created, WebhookEndpointResource(endpoint, showingSecret: true, now: now()),
                                 location: SiteRoute.webhookEndpoint.path(endpoint.id))
        }
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let endpoints = try await database.webhookEndpoints(tenantID: try context.requireTenantID())
        return try JSONReply(status: .ok, WebhookEndpointList(data: endpoints.map { WebhookEndpointResource($0, now: now()) })).response
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try JSONReply(status: .ok, WebhookEndpointResource(try await endpoint(context), now: now())).response
    }

    @Sendable func delete(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        guard try await database.deleteWebhookEndpoint(tenantID: try context.requireTenantID(), id: context.parameters.get("id") ?? "") else {
            throw APIProblem.notFound("webhook endpoint")
        }
        return Response(status: .noContent)
    }

    @Sendable func rotateSecret(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        guard let rotated = try await database.rotateWebhookSecret(
            tenantID: try context.requireTenantID(), id: context.parameters.get("id") ?? "", newSecret: StandardWebhooks.generateSecret(), now: now())
        else { throw APIProblem.notFound("webhook endpoint") }
        return try JSONReply(status: .ok, WebhookEndpointResource(rotated, showingSecret: true, now: now())).response
    }

    @Sendable func enable(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let id = context.parameters.get("id") ?? ""
        guard try await database.enableWebhookEndpoint(tenantID: tenantID, id: id, now: now()),
              let endpoint = try await database.webhookEndpoint(tenantID: tenantID, id: id)
        else { throw APIProblem.notFound("webhook endpoint") }
        return try JSONReply(status: .ok, WebhookEndpointResource(endpoint, now: now())).response
    }

    private func endpoint(_ context: WaymarkRequestContext) async throws -> WebhookEndpoint {
        guard let endpoint = try await database.webhookEndpoint(tenantID: try context.requireTenantID(), id: context.parameters.get("id") ?? "") else {
            throw APIProblem.notFound("webhook endpoint")
        }
        return endpoint
    }
}
