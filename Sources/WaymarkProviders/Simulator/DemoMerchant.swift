import Foundation
import WaymarkCore
import WaymarkSigning

/// Acme Outfitters, the merchant `waymark serve --demo` opens with: branding, an owner account
/// and about twenty shipments in every status, played forward by `ShipmentSimulator`.
public enum DemoMerchant {
    public static let slug = "acme"
    public static let ownerEmail = "owner@acme.test"
    /// A support agent, so the demo shows what agents see.
    public static let agentEmail = "agent@acme.test"

    public struct Seeded: Sendable {
        public let tenant: Tenant
        /// Only when the tenant was created now; an existing demo keeps its password.
        public let ownerPassword: String?
        /// The agent's password, likewise only when created now.
        public let agentPassword: String?
        /// A few shipments worth opening first, in different statuses.
        public let showcase: [Shipment]
    }

    /// Up to three shipments in the most telling statuses, one per status.
    static func showcase(_ shipments: [Shipment]) -> [Shipment] {
        let preferred: [DeliveryStatus] = [.outForDelivery, .inTransit, .delivered, .exception, .attemptFail, .infoReceived, .pending]
        return Array(preferred.compactMap { status in shipments.first { $0.status == status } }.prefix(3))
    }

    /// Creates the demo merchant unless it exists; returns it with a few of its shipments.
    public static func seedIfMissing(
        _ database: any TenantStore & ShipmentStore & IngestStore & AccountStore & SupportStore, now: Date = Date()
    ) async throws -> Seeded {
        if let tenant = try await database.tenant(slug: slug) {
            let active = try await database.activeShipments(tenantID: tenant.id, limit: 100).map(\.shipment)
            return Seeded(tenant: tenant, ownerPassword: nil, agentPassword: nil, showcase: showcase(active))
        }
        let password = SecureToken.random(byteCount: 12)
        let created = try await database.createTenant(NewTenant(
            slug: try TenantSlug(slug), name: "Acme Outfitters", ownerEmail: try EmailAddress(ownerEmail), ownerPassword: password,
            branding: Branding(
                primaryColor: HexColor("#7c2d12") ?? .waymarkBlue, accentColor: HexColor("#15803d") ?? .waymarkGreen,
                logoURL: SiteRoute.staticFiles.path() + "/demo/acme-logo.svg", supportEmail: "help@acme.test"),
            defaultLocale: "en", timeZone: "America/Denver"), now: now)
        var shipments: [Shipment] = []
        for (index, plan) in seedPlan.enumerated() {
            shipments.append(try await seedShipment(database, tenantID: created.tenant.id, index: index, plan: plan, now: now))
        }
        let agentPassword = try await seedAgent(database, tenantID: created.tenant.id, now: now)
        try await database.recordPageViews(pageViews(tenantID: created.tenant.id, shipments: shipments, now: now))
        return Seeded(tenant: created.tenant, ownerPassword: password, agentPassword: agentPassword, showcase: showcase(shipments))
    }

    /// The agent joins as invited people do (an invitation, accepted at once); returns the password.
    static func seedAgent(_ database: any AccountStore, tenantID: Int64, now: Date) async throws -> String {
        let password = SecureToken.random(byteCount: 12)
        let digest = Digests.hex(Digests.sha256(Array(SecureToken.random(byteCount: 32).utf8)))
        _ = try await database.createInvitation(tenantID: tenantID, email: agentEmail, role: .agent, invitedBy: 1, secretDigest: digest, now: now)
        _ = try await database.acceptInvitation(secretDigest: digest, passwordHash: await Passwords.hash(password), now: now)
        return password
    }

    /// Three weeks of page views, so the dashboard's chart and shares have something to show:
    /// more on weekdays, about half of them opened from a message's link.
    static func pageViews(tenantID: Int64, shipments: [Shipment], now: Date) -> PageViewBatch {
        var batch = PageViewBatch()
        for (index, shipment) in shipments.enumerated() where index % 4 != 3 {
            let views = 1 + index % 3
            let fromMessages = index.isMultiple(of: 2) ? views : views / 2
            let first = now.addingTimeInterval(-Double(1 + index % 20) * 86_400)
            batch.byToken[shipment.token] = .init(views: views, fromMessages: fromMessages, first: first, last: first)
        }
        for back in 0..<21 {
            let day = now.addingTimeInterval(-Double(back) * 86_400)
            let views = 6 + (back * 7) % 11 + (back % 7 < 5 ? 5 : 0)
            batch.byTenantDay[.init(tenantID: tenantID, day: RFC3339.day(day))] = .init(views: views, fromMessages: views / 2, first: day, last: day)
        }
        return batch
    }

    /// Points a webhook endpoint of the demo merchant at `url` (the demo's own receiver) unless
    /// one is there already, so the demo's status changes go out as signed webhooks too.
    public static func ensureWebhookEndpoint(_ database: any WebhookEndpointStore, tenantID: Int64, url: String, now: Date = Date()) async throws {
        guard try await !database.webhookEndpoints(tenantID: tenantID).contains(where: { $0.url == url }) else { return }
        _ = try await database.createWebhookEndpoint(
            tenantID: tenantID, url: url, eventTypes: NotificationTrigger.webhookEventTypes, statuses: [],
            description: "The demo's own receiver: see the server log", secret: StandardWebhooks.generateSecret(), now: now)
    }

    /// (journey, steps already taken). Chosen so that every status appears at least once.
    static let seedPlan: [(journey: Int, steps: Int)] = [
        (0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (0, 6), (1, 6), (2, 5), (2, 6), (2, 7), (2, 8), (3, 7), (4, 6), (4, 5),
        (5, 4), (0, 7), (1, 7), (3, 4), (6, 2), (0, 4),
    ]

    /// Metadata key naming the journey a demo shipment follows.
    static let journeyKey = "demo_journey"

    static func seedShipment(
        _ database: any ShipmentStore & IngestStore, tenantID: Int64, index: Int, plan: (journey: Int, steps: Int), now: Date
    ) async throws -> Shipment {
        let journey = DemoJourney.all[plan.journey]
        let created = now.addingTimeInterval(-Double(plan.steps + 1) * 14 * 3600)
        let eta = Calendar(identifier: .gregorian).startOfDay(for: now.addingTimeInterval(Double(journey.steps.count - plan.steps) * 86_400))
        let shipment = try await database.createShipment(tenantID: tenantID, NewShipment(
            trackingNumber: demoTrackingNumber(carrier: journey.carrier, index: index), carrier: journey.carrier,
            orderNumber: "ACME-\(1001 + index)",
            // Every other shopper also gave a phone (a fictional 555-01xx number): their texts go to the log.
            customer: Customer(name: "Demo Shopper \(index + 1)", email: "shopper\(index + 1)@example.com",
                               phone: index.isMultiple(of: 2) ? "+1720555\(String(format: "%04d", 100 + index))" : nil, locale: nil),
            destination: journey.destination, eta: eta, metadata: [journeyKey: String(plan.journey)]), now: created)
        let events = (0..<plan.steps).map { step in
            journey.event(step, at: created.addingTimeInterval(Double(step + 1) * 14 * 3600 - 600))
        }
        return try await database.recordCheckpoints(tenantID: tenantID, shipmentID: shipment.id, events: events, now: now).shipment
    }

    /// A number in the carrier's usual shape, unique per demo shipment.
    static func demoTrackingNumber(carrier: String, index: Int) -> String {
        let serial = String(format: "%08d", 40_000_000 + index * 7919 + Int.random(in: 0..<7919))
        switch carrier {
        case "ups": return "1Z999AA1" + serial
        case "fedex": return "7749" + serial
        case "dhl": return "00" + serial
        case "royal-mail": return "RM" + serial.prefix(8) + "1GB"
        case "correos": return "PQ" + serial + "ES"
        default: return "3S" + serial + "NL"
        }
    }
}
