import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkNotify
import WaymarkSigning

/// `/admin/webhooks`: the merchant's signed-webhook endpoints, as the API manages them: add one
/// (the same checks as `POST /api/v1/webhook-endpoints`, SSRF guard included, with the reason
/// shown when refused), its secret shown once, rotate, enable again, delete, and the recent
/// deliveries with what was sent, what came back, and "send again".
struct AdminWebhooksController {
    let site: AdminSite
    let urlCheck: URLCheck

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminWebhooks, .get, mountedAt: .admin, use: list)
        router.on(.adminWebhooks, .post, mountedAt: .admin, use: create)
        router.on(.adminWebhook, .get, mountedAt: .admin, use: show)
        router.on(.adminWebhookAction, .post, mountedAt: .admin, use: act)
    }

    struct ListPage: Encodable {
        let action = SiteRoute.adminWebhooks.path()
        let endpoints: [Row]
        let hasEndpoints: Bool
        let events: [AdminShipmentsController.Option]
        let statuses: [AdminShipmentsController.Option]
        let url: String
        let description: String
        let errors: [String]
        let hasErrors: Bool

        struct Row: Encodable {
            let href: String
            let url: String
            let description: String?
            let events: String
            let disabled: String?
            let failingSince: String?
        }
    }

    struct EndpointPage: Encodable {
        let url: String
        let description: String?
        let events: String
        let statuses: String?
        let created: String
        let disabled: String?
        let disabledReason: String?
        let failingSince: String?
        /// A secret just made: shown this once.
        let secret: String?
        let rotateURL: String
        let enableURL: String
        let deleteURL: String
        let replayURL: String
        let deliveries: [DeliveryRow]
        let hasDeliveries: Bool

        struct DeliveryRow: Encodable {
            let id: String
            let event: String
            let created: String
            let state: String
            let request: String
            let attempts: [AttemptRow]
        }

        struct AttemptRow: Encodable {
            let when: String
            let outcome: String
            let status: String?
            let response: String?
            let error: String?
            let milliseconds: Int
        }
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await listPage(request, context: context)
    }

    @Sendable func create(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        let input = WebhookEndpointInput(
            url: form["url"], events: NotificationTrigger.webhookEventTypes.filter { form["event_\($0)"] == "on" },
            statuses: DeliveryStatus.allCases.map(\.rawValue).filter { form["status_\($0)"] == "on" }, description: form["description"])
        let draft: WebhookEndpointInput.Draft
        do {
            draft = try input.draft(urlCheck: urlCheck)
        } catch {
            return try await listPage(request, context: context, form: form, errors: error.problems.map(\.description), status: .unprocessableContent)
        }
        guard try await site.database.webhookEndpoints(tenantID: session.tenant.id).count < WebhookEndpointsController.maxEndpointsPerTenant else {
            return try await listPage(request, context: context, form: form, errors: [site.text("webhook_limit", context, [
                "limit": String(WebhookEndpointsController.maxEndpointsPerTenant),
            ])], status: .unprocessableContent)
        }
        let endpoint = try await site.database.createWebhookEndpoint(
            tenantID: session.tenant.id, url: draft.url, eventTypes: draft.events, statuses: draft.statuses, description: draft.description,
            secret: StandardWebhooks.generateSecret(), now: site.now())
        try await site.audit(context, "added webhook endpoint \(endpoint.url)", subject: "webhook endpoint \(endpoint.id)")
        return try await endpointPage(request, context: context, endpoint: endpoint, secret: endpoint.secret)
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await endpointPage(request, context: context, endpoint: try await endpoint(context), secret: nil)
    }

    /// Rotate, enable, delete or replay, by the path's last segment.
    @Sendable func act(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let endpoint = try await endpoint(context)
        let now = site.now()
        switch context.parameters.get("action") {
        case "rotate":
            guard let rotated = try await site.database.rotateWebhookSecret(
                tenantID: session.tenant.id, id: endpoint.id, newSecret: StandardWebhooks.generateSecret(), now: now)
            else { throw HTTPError(.notFound) }
            try await site.audit(context, "rotated the secret of webhook endpoint \(endpoint.url)", subject: "webhook endpoint \(endpoint.id)")
            return try await endpointPage(request, context: context, endpoint: rotated, secret: rotated.secret)
        case "enable":
            _ = try await site.database.enableWebhookEndpoint(tenantID: session.tenant.id, id: endpoint.id, now: now)
            try await site.audit(context, "enabled webhook endpoint \(endpoint.url)", subject: "webhook endpoint \(endpoint.id)")
        case "delete":
            _ = try await site.database.deleteWebhookEndpoint(tenantID: session.tenant.id, id: endpoint.id)
            try await site.audit(context, "deleted webhook endpoint \(endpoint.url)", subject: "webhook endpoint \(endpoint.id)")
            return AdminSite.seeOther(SiteRoute.adminWebhooks.path())
        case "replay":
            guard let id = try site.form(context)["delivery"], let delivery = try await site.database.delivery(tenantID: session.tenant.id, id: id),
                delivery.channel == .webhook, delivery.recipient == endpoint.id, try await site.database.replayDelivery(tenantID: session.tenant.id, id: id, now: now) != nil
            else { throw HTTPError(.notFound) }
            try await site.audit(context, "sent webhook \(id) again", subject: "webhook endpoint \(endpoint.id)")
        default:
            throw HTTPError(.notFound)
        }
        return AdminSite.seeOther(SiteRoute.adminWebhook.path(endpoint.id))
    }

    // MARK: Pages

    private func listPage(
        _ request: Request, context: WaymarkRequestContext, form: AdminForm? = nil, errors: [String] = [], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session = try site.session(context)
        let endpoints = try await site.database.webhookEndpoints(tenantID: session.tenant.id)
        let page = ListPage(
            endpoints: endpoints.map { endpoint in
                ListPage.Row(
                    href: SiteRoute.adminWebhook.path(endpoint.id), url: endpoint.url, description: endpoint.description,
                    events: endpoint.eventTypes.joined(separator: ", "), disabled: endpoint.disabledAt.map(AdminDate.format),
                    failingSince: endpoint.failingSince.map(AdminDate.format))
            },
            hasEndpoints: !endpoints.isEmpty,
            events: NotificationTrigger.webhookEventTypes.map { event in
                .init(value: event, label: event, selected: form.map { $0["event_\(event)"] == "on" } ?? (event == "shipment.status_changed"))
            },
            statuses: DeliveryStatus.allCases.map { status in
                .init(value: status.rawValue, label: site.catalog.text("status_\(status.rawValue)", context.adminLanguage),
                      selected: form?["status_\(status.rawValue)"] == "on")
            },
            url: form?["url"] ?? "", description: form?["description"] ?? "", errors: errors, hasErrors: !errors.isEmpty)
        return try await site.render("admin/webhooks", title: "webhooks_title", page, context: context, request: request, status: status)
    }

    private func endpointPage(_ request: Request, context: WaymarkRequestContext, endpoint: WebhookEndpoint, secret: String?) async throws -> Response {
        let session = try site.session(context)
        let deliveries = try await site.database.deliveries(tenantID: session.tenant.id, endpointID: endpoint.id, shipmentID: nil, limit: 20, before: nil)
        let attempts = try await site.database.deliveryAttempts(tenantID: session.tenant.id, deliveryIDs: deliveries.map(\.id))
        func action(_ name: String) -> String { SiteRoute.adminWebhookAction.path(endpoint.id, name) }
        let page = EndpointPage(
            url: endpoint.url, description: endpoint.description, events: endpoint.eventTypes.joined(separator: ", "),
            statuses: endpoint.statuses.isEmpty ? nil : endpoint.statuses.map(\.rawValue).joined(separator: ", "),
            created: AdminDate.format(endpoint.createdAt), disabled: endpoint.disabledAt.map(AdminDate.format), disabledReason: endpoint.disabledReason,
            failingSince: endpoint.failingSince.map(AdminDate.format), secret: secret,
            rotateURL: action("rotate"), enableURL: action("enable"), deleteURL: action("delete"), replayURL: action("replay"),
            deliveries: deliveries.map { delivery in
                EndpointPage.DeliveryRow(
                    id: delivery.id, event: delivery.eventType, created: AdminDate.format(delivery.createdAt), state: delivery.state.rawValue,
                    request: delivery.payload,
                    attempts: (attempts[delivery.id] ?? []).map { attempt in
                        EndpointPage.AttemptRow(
                            when: AdminDate.format(attempt.attemptedAt), outcome: attempt.outcome.rawValue, status: attempt.httpStatus.map(String.init),
                            response: attempt.reply, error: attempt.error, milliseconds: attempt.latencyMilliseconds)
                    })
            },
            hasDeliveries: !deliveries.isEmpty)
        return try await site.render("admin/webhook", title: "webhook_title", page, context: context, request: request)
    }

    private func endpoint(_ context: WaymarkRequestContext) async throws -> WebhookEndpoint {
        let session = try site.session(context)
        guard let id = context.parameters.get("id"), let endpoint = try await site.database.webhookEndpoint(tenantID: session.tenant.id, id: id) else {
            throw HTTPError(.notFound)
        }
        return endpoint
    }
}
