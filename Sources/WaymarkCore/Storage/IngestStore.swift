import Foundation

/// What recording checkpoints did to a shipment.
public struct IngestOutcome: Sendable, Equatable {
    public var shipment: Shipment
    /// Checkpoints that were new; duplicates (same fingerprint) are not counted.
    public var inserted: Int
    public var previousStatus: DeliveryStatus
    public var statusChanged: Bool { previousStatus != shipment.status }

    package init(shipment: Shipment, inserted: Int, previousStatus: DeliveryStatus) {
        self.shipment = shipment
        self.inserted = inserted
        self.previousStatus = previousStatus
    }
}

/// What one accepted provider webhook did.
public struct InboundOutcome: Sendable, Equatable {
    /// The same event (by provider event id, else by body) was already processed: nothing changed.
    public var duplicate: Bool
    /// Per tracking number: the shipment after the update (nil when skipped) and what happened.
    public var results: [Result]

    public struct Result: Sendable, Equatable {
        public var trackingNumber: String
        public var shipmentID: String?
        public var created: Bool
        public var inserted: Int
        public var statusChanged: Bool
        /// Why nothing was recorded, e.g. an unknown number with auto-create off.
        public var skipped: String?
    
        package init(trackingNumber: String, shipmentID: String? = nil, created: Bool, inserted: Int, statusChanged: Bool, skipped: String? = nil) {
            self.trackingNumber = trackingNumber
            self.shipmentID = shipmentID
            self.created = created
            self.inserted = inserted
            self.statusChanged = statusChanged
            self.skipped = skipped
        }
}

    package init(duplicate: Bool, results: [Result]) {
        self.duplicate = duplicate
        self.results = results
    }
}

/// A stored inbound payload, for replay.
public struct InboundEvent: Sendable, Equatable {
    public var id: Int64
    public var provider: String
    public var body: [UInt8]
    public var receivedAt: Date

    package init(id: Int64, provider: String, body: [UInt8], receivedAt: Date) {
        self.id = id
        self.provider = provider
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// Carrier updates coming in: provider webhooks, the demo simulator and replays. A change of
/// status writes the messages it makes due in the same transaction (see `DeliveryStore`).
public protocol IngestStore: Sendable {
    /// Applies one provider webhook's updates and keeps its body, once per `eventID`: the same
    /// event again is answered `duplicate` and changes nothing. Returns after a durable commit.
    func ingest(
        tenantID: Int64, provider: String, eventID: String?, body: [UInt8], updates: [TrackingUpdate], now: Date
    ) async throws -> InboundOutcome
    /// Applies updates again (`waymark replay`) without keeping a new body.
    func reapply(tenantID: Int64, provider: String?, updates: [TrackingUpdate], now: Date) async throws -> [InboundOutcome.Result]
    /// The kept webhook bodies received since `since`, optionally of one provider or one id.
    func inboundEvents(tenantID: Int64, since: Date, provider: String?, id: Int64?) async throws -> [InboundEvent]
    /// Adds checkpoints to one shipment (and sets its ETA when `eta` is given: `.some(nil)` clears it).
    func recordCheckpoints(
        tenantID: Int64, shipmentID: String, events: [CheckpointEvent], eta: Date??, now: Date
    ) async throws -> IngestOutcome
}

extension IngestStore {
    /// Adds checkpoints to one shipment, leaving its ETA as it is.
    public func recordCheckpoints(tenantID: Int64, shipmentID: String, events: [CheckpointEvent], now: Date) async throws -> IngestOutcome {
        try await recordCheckpoints(tenantID: tenantID, shipmentID: shipmentID, events: events, eta: nil, now: now)
    }
}
