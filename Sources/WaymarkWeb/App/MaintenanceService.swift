import Foundation
import Logging
import ServiceLifecycle
import WaymarkCore

/// Runs `runMaintenance` at start and then every `interval`: silent shipments expire, delivered
/// ones are archived after the tenant's retention, old payloads and idempotency keys go.
public struct MaintenanceService: Service {
    let database: any MaintenanceStore
    let interval: Duration
    /// Shipments a sweep changes per transaction.
    let batch = 500
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        database: any MaintenanceStore, interval: Duration = .seconds(3600), logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.database = database
        self.interval = interval
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        let report = try await database.runMaintenance(now: now(), batch: batch)
                        if report != MaintenanceReport() {
                            logger.info("maintenance", metadata: [
                                "expired": .stringConvertible(report.expired), "archived": .stringConvertible(report.archived),
                                "purged_payloads": .stringConvertible(report.purgedPayloads),
                                "purged_idempotency_keys": .stringConvertible(report.purgedIdempotencyKeys),
                            ])
                        }
                    } catch let error where !(error is CancellationError) {
                        logger.error("maintenance failed", metadata: ["error": .string("\(error)")])
                    }
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
    }
}
