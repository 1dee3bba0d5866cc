import Foundation
import NIOSSL
import Synchronization
import WaymarkCore
import WaymarkNotify
import WaymarkStore
import WaymarkSigning

/// A fixed instant (2025-06-15 12:00:00 UTC), whole seconds so it survives the database's
/// millisecond timestamps exactly.
let outboxReferenceDate = Date(timeIntervalSince1970: 1_749_988_800)

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = outboxReferenceDate) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// A real SQLite outbox with tenants, webhook endpoints and the deliveries their shipments queue.
struct OutboxScenario {
    let database: AppDatabase
    let clock: TestClock

    init(clock: TestClock = TestClock()) throws {
        database = try AppDatabase.temporary()
        self.clock = clock
    }

    func tenant(_ slug: String) async throws -> Tenant {
        try await database.createTenant(NewTenant(
            slug: TenantSlug(slug), name: "Shop \(slug)", ownerEmail: EmailAddress("owner@\(slug).example"),
            ownerPassword: "correct horse battery staple")).tenant
    }

    func endpoint(_ tenant: Tenant, url: String, events: [String] = ["shipment.created"]) async throws -> WebhookEndpoint {
        try await database.createWebhookEndpoint(
            tenantID: tenant.id, url: url, eventTypes: events, secret: StandardWebhooks.generateSecret(), now: clock.now)
    }

    /// A new shipment, which queues `shipment.created` for every subscribed endpoint; returns
    /// the tenant's newest delivery.
    @discardableResult
    func shipmentDelivery(_ tenant: Tenant, number: Int = 1) async throws -> Delivery {
        let new = try NewShipment(trackingNumber: "WM\(tenant.id)X\(number)X\(UUID().uuidString.prefix(8))", carrier: nil).validated()
        let shipment = try await database.createShipment(tenantID: tenant.id, new, now: clock.now)
        guard let delivery = try await database.deliveries(tenantID: tenant.id, shipmentID: shipment.id).first else {
            throw ScenarioError.noDelivery
        }
        return delivery
    }

    func delivery(_ delivery: Delivery) async throws -> Delivery {
        guard let current = try await database.delivery(tenantID: delivery.tenantID, id: delivery.id) else { throw ScenarioError.noDelivery }
        return current
    }

    func attempts(_ delivery: Delivery) async throws -> [DeliveryAttempt] {
        try await database.deliveryAttempts(tenantID: delivery.tenantID, deliveryID: delivery.id)
    }

    func endpointNow(_ endpoint: WebhookEndpoint) async throws -> WebhookEndpoint? {
        try await database.webhookEndpoint(tenantID: endpoint.tenantID, id: endpoint.id)
    }

    /// The webhook channel as `serve` builds it, with 127.0.0.1 allowed and this clock; https
    /// endpoints are checked against `tlsConfiguration` (a test CA) when one is given.
    func channel(
        policy: String = "127.0.0.1/32", resolver: any Resolver = SystemResolver(), timeout: Duration = .seconds(30),
        tlsConfiguration: TLSConfiguration? = nil
    ) throws -> WebhookChannel {
        WebhookChannel(
            policy: try OutboundPolicy(allowList: policy), configuration: .init(timeout: timeout, tlsConfiguration: tlsConfiguration),
            resolver: resolver, now: clock.function)
    }

    func dispatcher(
        channel: WebhookChannel, configuration: DispatcherConfiguration = .init(), metrics: DispatchMetrics = DispatchMetrics()
    ) -> Dispatcher {
        Dispatcher(database: database, channels: [.webhook: channel], configuration: configuration, metrics: metrics, now: clock.function)
    }

    enum ScenarioError: Error { case noDelivery }
}
