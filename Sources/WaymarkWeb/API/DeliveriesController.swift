import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The outbox as the merchant sees it: an endpoint's deliveries with their attempts logs
/// (`GET /api/v1/webhook-endpoints/{id}/deliveries`) and replaying any delivery of the tenant,
/// webhook, email or text (`POST /api/v1/deliveries/{id}/replay`).
struct DeliveriesController {
    let database: any DeliveryStore & WebhookEndpointStore
    let now: @Sendable () -> Date

    static let maxLimit = 100

    func addRoutes(to api: RouterGroup<WaymarkRequestContext>) {
        api.on(.webhookEndpointDeliveries, .get, mountedAt: .api, use: listForEndpoint)
        api.on(.deliveryReplay, .post, mountedAt: .api, use: replay)
    }

    @Sendable func listForEndpoint(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let endpointID = context.parameters.get("id") ?? ""
        guard try await database.webhookEndpoint(tenantID: tenantID, id: endpointID) != nil else {
            throw APIProblem.notFound("webhook endpoint")
        }
        let (limit, cursor) = try await pageQuery(request, tenantID: tenantID, endpointID: endpointID)
        // One more than asked tells whether there is a next page.
        let found = try await database.deliveries(tenantID: tenantID, endpointID: endpointID, shipmentID: nil, limit: limit + 1, before: cursor)
        let page = Array(found.prefix(limit))
        let attempts = try await database.deliveryAttempts(tenantID: tenantID, deliveryIDs: page.map(\.id))
        let list = DeliveryList(
            data: page.map { DeliveryResource($0, attempts: attempts[$0.id] ?? []) },
            next_cursor: found.count > limit ? page.last?.id : nil)
        return try JSONReply(status: .ok, list).response
    }

    @Sendable func replay(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        guard let delivery = try await database.replayDelivery(tenantID: tenantID, id: context.parameters.get("id") ?? "", now: now()) else {
            throw APIProblem.notFound("delivery")
        }
        guard delivery.state != .sending else {
            throw APIProblem(status: .conflict, type: "urn:waymark:problem:conflict", title: "Being sent",
                             detail: "This delivery is being sent right now; look at its attempts and replay it afterwards if needed.")
        }
        let attempts = try await database.deliveryAttempts(tenantID: tenantID, deliveryID: delivery.id)
        return try JSONReply(status: .accepted, DeliveryResource(delivery, attempts: attempts)).response
    }

    /// `limit` (1 to 100, default 50) and `cursor` (the `next_cursor` of the previous page: the
    /// id of its last delivery, which must be one of this endpoint's).
    private func pageQuery(_ request: Request, tenantID: Int64, endpointID: String) async throws -> (Int, String?) {
        var problems: [ValidationError] = []
        var limit = 50
        if let text = request.uri.queryParameters["limit"] {
            if let value = Int(String(text)), (1...Self.maxLimit).contains(value) { limit = value } else {
                problems.append(.init("must be a whole number from 1 to \(Self.maxLimit)", field: "limit"))
            }
        }
        var cursor: String?
        if let text = request.uri.queryParameters["cursor"].map(String.init) {
            let known = try await database.delivery(tenantID: tenantID, id: text)
            if let known, known.channel == .webhook, known.recipient == endpointID { cursor = text } else {
                problems.append(.init("is not a cursor this API returned; start again without it", field: "cursor"))
            }
        }
        guard problems.isEmpty else { throw APIProblem.badQuery(ValidationErrors(problems)) }
        return (limit, cursor)
    }
}
