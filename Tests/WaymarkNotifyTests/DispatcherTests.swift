import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import Testing
import WaymarkCore
@testable import WaymarkNotify
import WaymarkStore

/// The dispatcher as a running service: fairness, recovery after a kill, graceful shutdown,
/// metrics, and the checks it makes before a shopper message goes out.
@Suite("Dispatcher")
struct DispatcherTests {
    /// Runs the dispatcher in a service group for the length of `body`, then stops it gracefully.
    func running(_ dispatcher: Dispatcher, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [dispatcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("A hanging endpoint of tenant A does not hold up tenant B: A gets its two slots, B is delivered meanwhile")
    func hangingEndpointIsolated() async throws {
        let scenario = try OutboxScenario()
        let a = try await scenario.tenant("hanging")
        let b = try await scenario.tenant("healthy")
        let hanging = WebhookReceiver(hold: true)
        let healthy = WebhookReceiver()
        try await hanging.serve { portA in
            try await healthy.serve { portB in
                _ = try await scenario.endpoint(a, url: "http://127.0.0.1:\(portA)/hook")
                _ = try await scenario.endpoint(b, url: "http://127.0.0.1:\(portB)/hook")
                var queued: [Delivery] = []
                for number in 1...6 { queued.append(try await scenario.shipmentDelivery(a, number: number)) }
                let flood = queued
                // Four slots in all: without the per-endpoint cap, A's backlog would fill them.
                let dispatcher = scenario.dispatcher(
                    channel: try scenario.channel(),
                    configuration: .init(maximumConcurrentSends: 4, maximumInFlightPerEndpoint: 2, pollInterval: .milliseconds(20)))
                try await running(dispatcher) {
                    #expect(try await eventually { hanging.received.count == 2 })
                    let delivery = try await scenario.shipmentDelivery(b)
                    #expect(try await eventually { try await scenario.delivery(delivery).state == .delivered })

                    // A is still stuck at its cap while B went through.
                    #expect(hanging.received.count == 2)
                    let states = try await flood.asyncMap { try await scenario.delivery($0).state }
                    #expect(states.filter { $0 == .sending }.count == 2)
                    #expect(states.filter { $0 == .pending }.count == 4)

                    hanging.release()
                    #expect(try await eventually {
                        try await flood.asyncMap { try await scenario.delivery($0).state }.allSatisfy { $0 == .delivered }
                    })
                }
            }
        }
    }

    @Test("One stalled check works off a backlog larger than its batch, a transaction per batch")
    func stalledBacklogIsWorkedOffInOneCheck() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("backlog")
        _ = try await scenario.endpoint(tenant, url: "https://hooks.example.com/in", events: ["shipment.stalled"])
        for number in 0..<5 {
            let shipment = try await scenario.database.createShipment(
                tenantID: tenant.id, try NewShipment(trackingNumber: "QUIET\(number)", carrier: nil).validated(), now: scenario.clock.now)
            _ = try await scenario.database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [
                CheckpointEvent(occurredAt: scenario.clock.now, status: .inTransit, message: "departed", source: "test"),
            ], now: scenario.clock.now)
        }
        scenario.clock.advance(by: 4 * 86_400)
        let dispatcher = scenario.dispatcher(channel: try scenario.channel(), configuration: .init(stalledBatch: 2))
        await dispatcher.enqueueStalled()
        let stalled = try await scenario.database.deliveries(tenantID: tenant.id, limit: 100).filter { $0.eventType == "shipment.stalled" }
        #expect(stalled.count == 5)
    }

    @Test("After a kill, deliveries left sending are sent again under the same id")
    func recoversInterrupted() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("killed")
        let receiver = WebhookReceiver()
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            // This node claimed it and died before recording anything; restarted, it takes it back.
            _ = try await scenario.database.claimDueDeliveries(owner: DispatcherConfiguration().nodeID, now: scenario.clock.now, limit: 10)
            #expect(try await scenario.delivery(delivery).state == .sending)

            try await running(scenario.dispatcher(channel: try scenario.channel())) {
                let delivered = try await eventually { try await scenario.delivery(delivery).state == .delivered }
                #expect(delivered)
            }
            #expect(receiver.received.map { $0.headers["webhook-id"] } == [delivery.id])
        }
    }

    @Test("A graceful stop lets the send in flight finish and records it; nothing is left sending")
    func gracefulShutdownDrains() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("draining")
        let receiver = WebhookReceiver(hold: true)
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())
            let group = ServiceGroup(services: [dispatcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await eventually { receiver.received.count == 1 })
                await group.triggerGracefulShutdown()
                // The stop is under way; only now does the receiver answer.
                receiver.release()
                try await tasks.waitForAll()
            }
            #expect(try await scenario.delivery(delivery).state == .delivered)
            #expect(try await scenario.database.queueDepth()[.webhook] == 0)
        }
    }

    @Test("Metrics: sent, retried and failed counters, the delivery-time histogram and the queue depth")
    func metrics() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("metered")
        let registry = PrometheusCollectorRegistry()
        let metrics = DispatchMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let receiver = WebhookReceiver { _, number in .init(status: number == 1 ? 500 : 200) }
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel(), metrics: metrics)
            try await dispatcher.dispatchDue()
            let retryAt = try await scenario.delivery(delivery).nextAttemptAt
            scenario.clock.set(retryAt)
            try await dispatcher.dispatchDue()

            let text = registry.emitToString()
            #expect(text.contains(#"waymark_notifications_retried_total{channel="webhook"} 1"#))
            #expect(text.contains(#"waymark_notifications_sent_total{channel="webhook"} 1"#))
            #expect(text.contains(#"waymark_notifications_failed_total{channel="webhook"} 0"#))
            #expect(text.contains(#"waymark_notification_delivery_seconds_count{channel="webhook"} 1"#))

            try await scenario.shipmentDelivery(tenant, number: 2)
            try await running(scenario.dispatcher(channel: try scenario.channel(), configuration: .init(), metrics: metrics)) {
                let drained = try await eventually { try await scenario.database.queueDepth()[.webhook] == 0 }
                #expect(drained)
            }
            #expect(registry.emitToString().contains(#"waymark_notifications_queue_depth{channel="webhook"}"#))
        }
    }

    @Test("A delivery whose channel is not configured stays queued instead of failing")
    func missingChannel() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("nochannel")
        _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:9/hook")
        let delivery = try await scenario.shipmentDelivery(tenant)
        let dispatcher = Dispatcher(database: scenario.database, channels: [:], now: scenario.clock.function)
        try await dispatcher.dispatchDue()
        let after = try await scenario.delivery(delivery)
        #expect(after.state == .pending)
        #expect(after.attempts == 0)
        #expect(after.nextAttemptAt > scenario.clock.now)
    }

    @Test("Shopper messages are skipped when the shopper opted out or the shipment moved on; webhooks never are")
    func staleShopperMessages() throws {
        let shipment = Shipment(
            id: "shp_1", tenantID: 1, trackingNumber: "1Z1", carrier: "ups", status: .delivered, token: "t",
            createdAt: outboxReferenceDate, updatedAt: outboxReferenceDate)
        func reason(_ channel: NotificationChannel, trigger: String, optedOut: Bool = false, shipment: Shipment? = shipment) -> String? {
            let delivery = Delivery(
                id: "msg_1", tenantID: 1, shipmentID: "shp_1", channel: channel, recipient: "jane@example.com", triggerKey: trigger,
                eventType: "shipment.status_changed", payload: "{}", nextAttemptAt: outboxReferenceDate, createdAt: outboxReferenceDate,
                updatedAt: outboxReferenceDate)
            return Dispatcher.staleReason(delivery, shipment: shipment, recipientOptedOut: optedOut)
        }
        #expect(reason(.email, trigger: "status:out_for_delivery") == "superseded: the shipment is now delivered")
        #expect(reason(.sms, trigger: "status:delivered") == nil)
        #expect(reason(.email, trigger: "status:delivered", optedOut: true) == "recipient unsubscribed or suppressed")
        #expect(reason(.email, trigger: "created", shipment: nil) == "the shipment was deleted")
        #expect(reason(.webhook, trigger: "status:out_for_delivery") == nil)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
