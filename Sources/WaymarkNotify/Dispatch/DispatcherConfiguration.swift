import Foundation
import WaymarkCore

/// How hard the dispatcher works and how it shares itself out. The per-endpoint and per-tenant
/// caps are what keep one hanging receiver or one flooding merchant from delaying everyone else.
public struct DispatcherConfiguration: Sendable {
    /// Sends in flight at once, over every channel and tenant.
    public var maximumConcurrentSends: Int
    /// Sends in flight to one webhook endpoint.
    public var maximumInFlightPerEndpoint: Int
    /// Sends in flight for one tenant.
    public var maximumInFlightPerTenant: Int
    /// How often an idle dispatcher looks for due work without being kicked. Short, so a change
    /// committed by another process still goes out well within a quarter second.
    public var pollInterval: Duration
    /// When a failed delivery is tried again.
    public var retryPolicy: RetryPolicy
    /// How often quiet shipments are checked for `shipment.stalled`.
    public var stalledCheckInterval: Duration
    /// Quiet shipments decided per transaction; a check goes on batch after batch while they come full.
    public var stalledBatch: Int
    /// How often the queue-depth gauge is refreshed.
    public var queueDepthInterval: Duration
    /// This dispatcher's name on the deliveries it claims (`WAYMARK_NODE_ID`, default the host
    /// name). Nodes sharing one database need distinct ids; a restarted node with the same id
    /// takes back what it left mid-send at once.
    public var nodeID: String = ProcessInfo.processInfo.hostName
    /// How long a claim keeps a delivery from other nodes.
    public var lease: TimeInterval = ClaimedDelivery.lease

    public init(
        maximumConcurrentSends: Int = 64, maximumInFlightPerEndpoint: Int = 4, maximumInFlightPerTenant: Int = 16,
        pollInterval: Duration = .milliseconds(100), retryPolicy: RetryPolicy = .standardWebhooks,
        stalledCheckInterval: Duration = .seconds(60), stalledBatch: Int = 1_000, queueDepthInterval: Duration = .seconds(10)
    ) {
        self.maximumConcurrentSends = maximumConcurrentSends
        self.maximumInFlightPerEndpoint = maximumInFlightPerEndpoint
        self.maximumInFlightPerTenant = maximumInFlightPerTenant
        self.pollInterval = pollInterval
        self.retryPolicy = retryPolicy
        self.stalledCheckInterval = stalledCheckInterval
        self.stalledBatch = max(stalledBatch, 1)
        self.queueDepthInterval = queueDepthInterval
    }
}
