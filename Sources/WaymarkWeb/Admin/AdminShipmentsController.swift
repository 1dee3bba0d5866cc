import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The support workspace: find a shipment, read its journey and messages, reveal the shopper's
/// contact (audited), resend a message, copy the link and a reply.
struct AdminShipmentsController {
    let site: AdminSite

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminShipments, .get, mountedAt: .admin, use: list)
        router.on(.adminShipment, .get, mountedAt: .admin, use: detail)
        router.on(.adminShipmentReveal, .post, mountedAt: .admin, use: reveal)
        router.on(.adminShipmentResend, .post, mountedAt: .admin, use: resend)
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Row: Encodable {
        let href: String
        let orderNumber: String?
        let trackingNumber: String
        let carrier: String
        let status: String
        let statusCode: String
        let contact: String?
        let created: String
    }

    struct ListPage: Encodable {
        let query: String
        let statuses: [Option]
        let carriers: [Option]
        let sorts: [Option]
        let attention: String?
        let attentionLabel: String?
        let rows: [Row]
        let hasRows: Bool
        let nextURL: String?
        let searched: Bool
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let query = request.uri.queryParameters
        let text = query["q"].map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(254).description
        let status = query["status"].flatMap { DeliveryStatus(rawValue: String($0)) }
        let carrier = query["carrier"].map(String.init).flatMap { CarrierRegistry.carrier(code: $0)?.code }
        // The carriers this merchant ships with, not every carrier Waymark knows.
        let carriersInUse = try await site.database.carriersInUse(tenantID: session.tenant.id)
        let sort = query["sort"].flatMap { ShipmentSearch.Sort(rawValue: String($0)) } ?? .newest
        let attention = query["attention"].flatMap { ShipmentSearch.Attention(rawValue: String($0)) }
        let after = query["after"].flatMap { ShipmentCursor(token: String($0)) }
        let limit = 25
        let shipments = try await site.database.searchShipments(tenantID: session.tenant.id, ShipmentSearch(
            text: text?.isEmpty == false ? text : nil, status: status, attention: attention, carrier: carrier, sort: sort, after: after,
            limit: limit + 1, asOf: site.now()))
        let language = context.adminLanguage
        let shown = shipments.prefix(limit)
        var nextURL: String?
        if shipments.count > limit, let last = shown.last {
            var parameters: [(String, String)] = []
            if let text, !text.isEmpty { parameters.append(("q", text)) }
            if let status { parameters.append(("status", status.rawValue)) }
            if let carrier { parameters.append(("carrier", carrier)) }
            if let attention { parameters.append(("attention", attention.rawValue)) }
            parameters += [("sort", sort.rawValue), ("after", ShipmentCursor(createdAt: last.createdAt, id: last.id).token)]
            nextURL = SiteRoute.adminShipments.path() + "?" + FormEncoding.encode(parameters)
        }
        let page = ListPage(
            query: text ?? "",
            statuses: DeliveryStatus.allCases.map { Option(value: $0.rawValue, label: site.catalog.text("status_\($0.rawValue)", language), selected: $0 == status) },
            carriers: Set(carriersInUse + [carrier].compactMap { $0 }).map { code in
                Option(value: code, label: CarrierRegistry.carrier(code: code)?.name ?? code, selected: code == carrier)
            }.sorted { $0.label < $1.label },
            sorts: ShipmentSearch.Sort.allCases.map { Option(value: $0.rawValue, label: site.text("sort_\($0.rawValue)", context), selected: $0 == sort) },
            attention: attention?.rawValue, attentionLabel: attention.map { site.text("attention_\($0.rawValue)", context) },
            rows: shown.map { shipment in
                Row(
                    href: SiteRoute.adminShipment.path(shipment.id), orderNumber: shipment.orderNumber, trackingNumber: shipment.trackingNumber,
                    carrier: CarrierRegistry.carrier(code: shipment.carrier)?.name ?? shipment.carrier,
                    status: site.catalog.text("status_\(shipment.status.rawValue)", language), statusCode: shipment.status.rawValue,
                    contact: Masked.email(shipment.customer.email) ?? Masked.phone(shipment.customer.phone), created: AdminDate.format(shipment.createdAt))
            },
            hasRows: !shown.isEmpty, nextURL: nextURL, searched: text?.isEmpty == false || status != nil || carrier != nil || attention != nil)
        return try await site.render("admin/shipments", title: "shipments_title", page, context: context, request: request)
    }

    struct DetailPage: Encodable {
        struct Event: Encodable {
            let time: String
            let status: String
            let message: String
            let place: String?
        }

        struct Attempt: Encodable {
            let time: String
            let outcome: String
            let detail: String?
        }

        struct Message: Encodable {
            let id: String
            let channel: String
            let recipient: String
            let event: String
            let state: String
            let created: String
            let attempts: [Attempt]
            let hasAttempts: Bool
        }

        let id: String
        let orderNumber: String?
        let trackingNumber: String
        let carrier: String
        let carrierURL: String?
        let status: String
        let statusCode: String
        let eta: String?
        let lastUpdate: String?
        let archived: Bool
        let name: String?
        let email: String?
        let phone: String?
        let revealed: Bool
        let revealURL: String
        let resendURL: String
        let events: [Event]
        let messages: [Message]
        let hasMessages: Bool
        let reply: SupportReply
        let replyLanguages: [AdminLayout.Link]
        let notice: String?
    }

    @Sendable func detail(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await detailPage(request, context: context, revealed: false)
    }

    /// The shopper's contact in full: only by a post (never a link that could be shared or
    /// prefetched), and every time in the audit log.
    @Sendable func reveal(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        guard let id = context.parameters.get("id"), try await site.database.shipment(tenantID: session.tenant.id, id: id) != nil else {
            throw HTTPError(.notFound)
        }
        try await site.audit(context, "revealed shopper contact", subject: id)
        return try await detailPage(request, context: context, revealed: true)
    }

    @Sendable func resend(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        guard let id = context.parameters.get("id"), let deliveryID = form["delivery"],
              let original = try await site.database.delivery(tenantID: session.tenant.id, id: deliveryID), original.shipmentID == id
        else { throw HTTPError(.notFound) }
        guard let copy = try await site.database.resendDelivery(tenantID: session.tenant.id, id: deliveryID, now: site.now()) else {
            throw HTTPError(.notFound)
        }
        try await site.audit(context, "resent \(original.channel.rawValue) message \(original.id) as \(copy.id)", subject: id)
        return AdminSite.seeOther(SiteRoute.adminShipment.path(id) + "?resent=\(copy.channel.rawValue)")
    }

    private func detailPage(_ request: Request, context: WaymarkRequestContext, revealed: Bool) async throws -> Response {
        let session = try site.session(context)
        guard let id = context.parameters.get("id"), let tracked = try await site.database.shipment(tenantID: session.tenant.id, id: id) else {
            throw HTTPError(.notFound)
        }
        let shipment = tracked.shipment
        let language = context.adminLanguage
        // Newest first; messages of the same moment by channel, so the list reads the same every time.
        let deliveries = try await site.database.deliveries(tenantID: session.tenant.id, endpointID: nil, shipmentID: id, limit: 100, before: nil)
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.channel.rawValue < $1.channel.rawValue }
        let attempts = try await site.database.deliveryAttempts(tenantID: session.tenant.id, deliveryIDs: deliveries.map(\.id))
        let replyLanguage = SupportReply.language(
            requested: request.uri.queryParameters["reply"].map(String.init), shipment: shipment, tenant: session.tenant)
        let carrier = CarrierRegistry.carrier(code: shipment.carrier)
        func recipient(_ delivery: Delivery) -> String {
            switch delivery.channel {
            case .email: revealed ? delivery.recipient : Masked.email(delivery.recipient) ?? ""
            case .sms: revealed ? delivery.recipient : Masked.phone(delivery.recipient) ?? ""
            case .webhook: delivery.recipient
            }
        }
        let page = DetailPage(
            id: id, orderNumber: shipment.orderNumber, trackingNumber: shipment.trackingNumber, carrier: carrier?.name ?? shipment.carrier,
            carrierURL: carrier?.trackingURL(for: shipment.trackingNumber),
            status: site.catalog.text("status_\(shipment.status.rawValue)", language), statusCode: shipment.status.rawValue,
            eta: shipment.eta.map(RFC3339.day), lastUpdate: shipment.lastEventAt.map(AdminDate.format), archived: shipment.archivedAt != nil,
            name: revealed ? shipment.customer.name : shipment.customer.name.map(Masked.name),
            email: revealed ? shipment.customer.email : Masked.email(shipment.customer.email),
            phone: revealed ? shipment.customer.phone : Masked.phone(shipment.customer.phone),
            revealed: revealed, revealURL: SiteRoute.adminShipmentReveal.path(id), resendURL: SiteRoute.adminShipmentResend.path(id),
            events: tracked.checkpoints.sorted { $0.event.occurredAt > $1.event.occurredAt }.map { checkpoint in
                let event = checkpoint.event
                let place = [event.location.city, event.location.region, event.location.country].compactMap { $0 }.joined(separator: ", ")
                return DetailPage.Event(
                    time: AdminDate.format(event.occurredAt), status: site.catalog.text("status_\(event.status.rawValue)", language),
                    message: event.message, place: place.isEmpty ? nil : place)
            },
            messages: deliveries.map { delivery in
                let tries = (attempts[delivery.id] ?? []).map { attempt in
                    DetailPage.Attempt(
                        time: AdminDate.format(attempt.attemptedAt), outcome: site.text("attempt_\(attempt.outcome.rawValue)", context),
                        detail: attempt.error ?? attempt.httpStatus.map { "HTTP \($0)" } ?? attempt.reply)
                }
                return DetailPage.Message(
                    id: delivery.id, channel: site.text("channel_\(delivery.channel.rawValue)", context), recipient: recipient(delivery),
                    event: delivery.eventType, state: site.text("state_\(delivery.state.rawValue)", context), created: AdminDate.format(delivery.createdAt),
                    attempts: tries, hasAttempts: !tries.isEmpty)
            },
            hasMessages: !deliveries.isEmpty,
            reply: SupportReply.make(tenant: session.tenant, shipment: shipment, language: replyLanguage, catalog: site.catalog, links: site.links),
            replyLanguages: ShopperLanguage.supported.map { code in
                AdminLayout.Link(
                    label: site.catalog.table(code)["language_name"] ?? code, href: SiteRoute.adminShipment.path(id) + "?reply=\(code)#reply",
                    current: code == replyLanguage, lang: code)
            },
            notice: request.uri.queryParameters["resent"].map { site.text("notice_resent", context, ["channel": String($0)]) })
        return try await site.render("admin/shipment", title: "shipment_title", page, context: context, request: request)
    }
}

/// A shopper's contact as agents see it until they reveal it: enough to confirm with the
/// shopper on the line ("the address starting with j, at example.com?"), not to copy.
enum Masked {
    static func email(_ email: String?) -> String? {
        guard let email, let at = email.lastIndex(of: "@") else { return email.map { _ in "•••" } }
        return String(email[..<at].prefix(1)) + "•••" + String(email[at...])
    }

    static func phone(_ phone: String?) -> String? {
        guard let phone else { return nil }
        return String(phone.prefix(2)) + String(repeating: "•", count: max(0, phone.count - 6)) + String(phone.suffix(4))
    }

    static func name(_ name: String) -> String {
        name.split(separator: " ").map { String($0.prefix(1)) + "." }.joined(separator: " ")
    }
}

/// Times in the admin: minutes, in UTC, the same in every language.
enum AdminDate {
    static func format(_ date: Date) -> String {
        let text = RFC3339.format(date)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5) + " UTC"
    }
}
