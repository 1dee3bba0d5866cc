import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WaymarkCore

/// Sends the outbox: claims due deliveries within the concurrency caps, hands each to its
/// channel in a child task, and turns the answer into the attempts log, a retry at the
/// schedule's next time, or a final state. Runs as a service next to the web server.
///
/// Delivery is at least once: deliveries a killed process left `sending` are queued again at
/// start, under the same id. A graceful shutdown stops claiming and lets the sends under way
/// finish and be recorded, so none is left `sending`.
public final class Dispatcher: Service, Sendable {
    let database: any DeliveryStore
    let channels: [NotificationChannel: any DeliveryChannel]
    let configuration: DispatcherConfiguration
    let metrics: DispatchMetrics
    let logger: Logger
    let now: @Sendable () -> Date

    private let wakeup = Wakeup()
    private let inFlight = Mutex(InFlight())
    private let stopping = Atomic<Bool>(false)
    /// Channels already reported as missing, so the log says it once, not every poll.
    private let missingChannelsLogged = Mutex(Set<NotificationChannel>())

    /// How long a delivery whose channel is not configured waits before it is looked at again.
    static let missingChannelRecheck: TimeInterval = 60

    public init(
        database: any DeliveryStore, channels: [NotificationChannel: any DeliveryChannel], configuration: DispatcherConfiguration = .init(),
        metrics: DispatchMetrics = DispatchMetrics(), logger: Logger = Logger(label: "waymark.dispatch"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.channels = channels
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.now = now
        database.outboxSignal.observe { [weak self] in self?.kick() }
    }

    /// Ends the idle wait now. The database rings it after each commit that wrote deliveries,
    /// so they do not wait for the next poll.
    public func kick() { wakeup.ring() }

    public func run() async throws {
        let recovered = try await database.recoverInterruptedDeliveries(owner: configuration.nodeID, now: now())
        if recovered > 0 { logger.notice("re-queued deliveries interrupted by the last stop", metadata: ["count": "\(recovered)"]) }
        let clock = ContinuousClock()
        var nextStalledCheck = clock.now
        var nextDepthRefresh = clock.now
        await withGracefulShutdownHandler {
            // The group returns only when every send it started has finished and been recorded.
            await withDiscardingTaskGroup { group in
                while !stopping.load(ordering: .acquiring), !Task.isCancelled {
                    if clock.now >= nextStalledCheck {
                        nextStalledCheck = clock.now.advanced(by: configuration.stalledCheckInterval)
                        await enqueueStalled()
                    }
                    if clock.now >= nextDepthRefresh {
                        nextDepthRefresh = clock.now.advanced(by: configuration.queueDepthInterval)
                        await refreshQueueDepth()
                    }
                    let claim: Claim
                    do {
                        claim = try await claimDue()
                    } catch is CancellationError {
                        break  // the server is stopping
                    } catch {
                        logger.error("claiming due deliveries failed", metadata: ["error": "\(error)"])
                        // The database is likely away for a while: look again in a second, not at
                        // every poll (which would also log this ten times a second).
                        try? await Task.sleep(for: .seconds(1))
                        claim = Claim(deliveries: [], filled: false)
                    }
                    for claimed in claim.deliveries {
                        group.addTask {
                            await self.deliver(claimed)
                            self.inFlight.withLock { $0.finish(claimed.delivery) }
                            self.wakeup.ring()
                        }
                    }
                    // A full claim may have left more due work behind: claim again at once.
                    if !claim.filled { await wakeup.wait(timeout: await idleTime()) }
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            self.wakeup.ring()
        }
        // Every send has been recorded: the channels may close what they kept open.
        for channel in channels.values { await channel.shutdown() }
    }

    /// One round without the loop: claims what is due now within the caps, sends it and records
    /// every answer before returning. Tests drive retries with it under an injected clock.
    @discardableResult
    public func dispatchDue() async throws -> Int {
        let claim = try await claimDue()
        await withDiscardingTaskGroup { group in
            for claimed in claim.deliveries {
                group.addTask {
                    await self.deliver(claimed)
                    self.inFlight.withLock { $0.finish(claimed.delivery) }
                }
            }
        }
        return claim.deliveries.count
    }

    struct Claim {
        var deliveries: [ClaimedDelivery]
        /// Every free slot was used: more may be due.
        var filled: Bool
    }

    /// Claims due deliveries for the free slots, leaving out endpoints and tenants at their cap.
    /// What one claim brings beyond a cap goes back to the queue untouched. A claim takes no more
    /// than any endpoint or tenant still has room for (`InFlight.room`): a backlog for one
    /// endpoint (the usual case after an outage) would otherwise claim rows only to put all but a
    /// few back, one write each; the loop claims again at once while claims come back full.
    private func claimDue() async throws -> Claim {
        let room = inFlight.withLock { $0.room(configuration) }
        guard room.free > 0 else { return Claim(deliveries: [], filled: true) }
        let limit = room.limit
        let claimed = try await database.claimDueDeliveries(
            owner: configuration.nodeID, now: now(), lease: configuration.lease, limit: limit, busyEndpoints: room.busyEndpoints, busyTenants: room.busyTenants)
        var admitted: [ClaimedDelivery] = []
        var overflow: [Delivery] = []
        inFlight.withLock { inFlight in
            for item in claimed {
                if inFlight.admit(item.delivery, configuration) { admitted.append(item) } else { overflow.append(item.delivery) }
            }
        }
        for delivery in overflow {
            try await database.setAside(deliveryID: delivery.id, until: delivery.nextAttemptAt, now: now())
        }
        return Claim(deliveries: admitted, filled: claimed.count == limit && overflow.isEmpty)
    }

    /// Sends one claimed delivery and records what came of it.
    func deliver(_ claimed: ClaimedDelivery) async {
        let delivery = claimed.delivery
        if let reason = Self.staleReason(delivery, shipment: claimed.shipment, recipientOptedOut: claimed.recipientOptedOut) {
            await record(.skipped(reason: reason), for: claimed, latency: .zero)
            return
        }
        guard let channel = channels[delivery.channel] else {
            let first = missingChannelsLogged.withLock { $0.insert(delivery.channel).inserted }
            if first {
                logger.warning("no \(delivery.channel.rawValue) channel is configured; its deliveries stay queued", metadata: ["delivery": "\(delivery.id)"])
            }
            await setAside(delivery.id, until: now().addingTimeInterval(Self.missingChannelRecheck))
            return
        }
        let started = ContinuousClock.now
        let outcome = await channel.send(claimed)
        await record(outcome, for: claimed, latency: ContinuousClock.now - started)
    }

    /// Why a shopper message must not go out any more: the shopper opted out, the shipment is
    /// gone, or it has moved on to another status than the one the message announces.
    static func staleReason(_ delivery: Delivery, shipment: Shipment?, recipientOptedOut: Bool) -> String? {
        guard delivery.channel != .webhook else { return nil }
        if recipientOptedOut { return "recipient unsubscribed or suppressed" }
        guard delivery.shipmentID != nil else { return nil }
        guard let shipment else { return "the shipment was deleted" }
        if case .statusEntered(let status, _) = delivery.trigger, shipment.status != status {
            return "superseded: the shipment is now \(shipment.status.rawValue)"
        }
        return nil
    }

    private func record(_ outcome: SendOutcome, for claimed: ClaimedDelivery, latency: Duration) async {
        let delivery = claimed.delivery
        let attemptedAt = now()
        let milliseconds = Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
        let isWebhook = delivery.channel == .webhook
        do {
            switch outcome {
            case .delivered(let httpStatus, let reply):
                try await database.recordAttempt(
                    DeliveryAttempt(deliveryID: delivery.id, attemptedAt: attemptedAt, outcome: .delivered, httpStatus: httpStatus, reply: reply,
                                    latencyMilliseconds: milliseconds),
                    resolution: .delivered, endpoint: isWebhook ? .healthy : nil, suppress: nil)
                metrics.delivered(delivery.channel, age: attemptedAt.timeIntervalSince(delivery.createdAt))
            case .failed(let failure):
                let next = configuration.retryPolicy.nextAttempt(
                    afterFailedAttempts: delivery.attempts + 1, now: attemptedAt, permanent: failure.permanent, retryAfter: failure.retryAfter)
                let verdict: EndpointVerdict? = isWebhook ? failure.disableEndpoint.map { EndpointVerdict.disable(reason: $0) } ?? .failing : nil
                try await database.recordAttempt(
                    DeliveryAttempt(deliveryID: delivery.id, attemptedAt: attemptedAt, outcome: next == nil ? .failed : .retry,
                                    httpStatus: failure.httpStatus, reply: failure.reply, latencyMilliseconds: milliseconds, error: failure.error),
                    resolution: next.map { DeliveryResolution.retry(at: $0) } ?? .failed, endpoint: verdict,
                    suppress: failure.suppressRecipient && !isWebhook ? failure.error : nil)
                if next == nil { metrics.failed(delivery.channel) } else { metrics.retried(delivery.channel) }
            case .postponed(let until):
                try await database.setAside(deliveryID: delivery.id, until: until, now: attemptedAt)
            case .skipped(let reason):
                try await database.setAside(deliveryID: delivery.id, skipReason: reason, now: attemptedAt)
            }
        } catch {
            // The delivery stays `sending` and is sent again after the next start: at least once.
            logger.error("recording a delivery's outcome failed", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    private func setAside(_ id: String, until: Date) async {
        do {
            try await database.setAside(deliveryID: id, until: until, now: now())
        } catch {
            logger.error("putting a delivery back in the queue failed", metadata: ["delivery": "\(id)", "error": "\(error)"])
        }
    }

    /// The poll interval, or less when a delivery falls due sooner. A due time already past
    /// means the work is held back by a cap: wait for a send to finish (the doorbell) or a poll.
    private func idleTime() async -> Duration {
        guard let due = try? await database.nextDeliveryDue() else { return configuration.pollInterval }
        let wait = due.timeIntervalSince(now())
        guard wait > 0 else { return configuration.pollInterval }
        return min(configuration.pollInterval, .milliseconds(Int64(wait * 1000) + 1))
    }

    /// One batch per transaction, so ingest goes on in between; a backlog (after an upgrade, or
    /// when a carrier went silent for many shipments at once) is worked off in one go.
    func enqueueStalled() async {
        do {
            var sweep: StalledSweep
            repeat {
                sweep = try await database.enqueueStalledNotifications(now: now(), limit: configuration.stalledBatch)
                if sweep.written > 0 { wakeup.ring() }
            } while sweep.mayHaveMore && !Task.isCancelled
        } catch is CancellationError {
            // the server is stopping
        } catch {
            logger.error("checking for stalled shipments failed", metadata: ["error": "\(error)"])
        }
    }

    private func refreshQueueDepth() async {
        do {
            metrics.queueDepth(try await database.queueDepth())
        } catch is CancellationError {
            // the server is stopping
        } catch {
            logger.warning("reading the queue depth failed", metadata: ["error": "\(error)"])
        }
    }
}
