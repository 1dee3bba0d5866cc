import Foundation
import Logging
import ServiceLifecycle
import WaymarkCore

/// Moves the demo merchant's shipments along their journeys every few seconds, through the same
/// `recordCheckpoints` path that provider updates take, so the demo behaves like production.
public struct ShipmentSimulator: Service {
    let database: any ShipmentStore & IngestStore
    let tenantID: Int64
    let interval: Duration
    let logger: Logger

    public init(database: any ShipmentStore & IngestStore, tenantID: Int64, interval: Duration = .seconds(5), logger: Logger) {
        self.database = database
        self.tenantID = tenantID
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        try await tick()
                    } catch let error where !(error is CancellationError) {
                        logger.warning("simulator step failed", metadata: ["error": .string("\(error)")])
                    }
                }
            }
        } catch is CancellationError {
            // Graceful shutdown cancels the sleep: a normal end, not a failure.
        }
    }

    /// One step: advance one active shipment, and start a new one when few are left moving.
    public func tick(now: Date = Date()) async throws {
        let active = try await database.activeShipments(tenantID: tenantID, limit: 50)
        if let tracked = active.randomElement(),
           let index = tracked.shipment.metadata[DemoMerchant.journeyKey].flatMap(Int.init), DemoJourney.all.indices.contains(index) {
            let journey = DemoJourney.all[index]
            let next = tracked.checkpoints.count
            if next < journey.steps.count {
                let outcome = try await database.recordCheckpoints(
                    tenantID: tenantID, shipmentID: tracked.shipment.id, events: [journey.event(next, at: now)], now: now)
                logger.info("simulator moved a shipment", metadata: ["status": .string(outcome.shipment.status.rawValue)])
            }
        }
        if active.count < 6 {
            let count = try await database.shipmentCount(tenantID: tenantID)
            _ = try await DemoMerchant.seedShipment(
                database, tenantID: tenantID, index: count, plan: (Int.random(in: 0..<DemoJourney.all.count), 0), now: now)
        }
    }
}
