import Foundation

/// A shipment as the API, the CLI's `--json` and outgoing webhooks show it.
public struct ShipmentResource: Codable, Sendable, Equatable {
    public var id: String
    public var tracking_number: String
    public var carrier: String
    public var carrier_name: String?
    public var order_number: String?
    public var customer: CustomerResource
    public var destination: Destination
    public var status: String
    public var substatus: String?
    public var eta: String?
    public var delivered_at: String?
    public var last_event_at: String?
    public var tracking_url: String
    public var checkpoints: [CheckpointResource]
    public var metadata: [String: String]
    public var archived: Bool
    /// The last failure to register the number at a tracking provider, if it still stands.
    public var registration_error: String?
    public var created_at: String
    public var updated_at: String

    public struct CustomerResource: Codable, Sendable, Equatable {
        public var name: String?
        public var email: String?
        public var phone: String?
        public var locale: String?
    }

    public struct CheckpointResource: Codable, Sendable, Equatable {
        public var occurred_at: String
        public var status: String
        public var substatus: String?
        public var message: String
        public var location: Place
        public var source: String
        public var raw_code: String?
    }

    public init(_ tracked: TrackedShipment, baseURL: String, tenantSlug: String) {
        let s = tracked.shipment
        id = s.id
        tracking_number = s.trackingNumber
        carrier = s.carrier
        carrier_name = CarrierRegistry.carrier(code: s.carrier)?.name
        order_number = s.orderNumber
        customer = CustomerResource(name: s.customer.name, email: s.customer.email, phone: s.customer.phone, locale: s.customer.locale)
        destination = s.destination
        status = s.status.rawValue
        substatus = s.substatus?.description
        eta = s.eta.map(RFC3339.day)
        delivered_at = s.deliveredAt.map { RFC3339.format($0) }
        last_event_at = s.lastEventAt.map { RFC3339.format($0) }
        tracking_url = PublicLinks(baseURL: baseURL).trackingURL(tenantSlug: tenantSlug, token: s.token)
        checkpoints = tracked.checkpoints.map { checkpoint in
            let e = checkpoint.event
            return CheckpointResource(
                occurred_at: RFC3339.format(e.occurredAt, utcOffsetSeconds: e.utcOffsetSeconds), status: e.status.rawValue,
                substatus: e.substatus?.description, message: e.message, location: e.location, source: e.source, raw_code: e.rawCode)
        }
        metadata = s.metadata
        archived = s.archivedAt != nil
        registration_error = s.registrationError
        created_at = RFC3339.format(s.createdAt)
        updated_at = RFC3339.format(s.updatedAt)
    }
}

/// A shipment with its checkpoints, newest first: what the tracking page and the API show.
public struct TrackedShipment: Sendable, Equatable {
    public var shipment: Shipment
    public var checkpoints: [Checkpoint]

    public init(shipment: Shipment, checkpoints: [Checkpoint]) {
        self.shipment = shipment
        self.checkpoints = checkpoints
    }
}

/// A shipment as its tracking page depends on it: the shipment row, and which checkpoints it has.
/// Checkpoints are only ever added, never changed, so their count and newest id name the set.
public struct TrackingPageStamp: Hashable, Sendable {
    public var shipment: Shipment
    public var checkpointCount: Int
    public var newestCheckpointID: Int64?

    public init(shipment: Shipment, checkpointCount: Int, newestCheckpointID: Int64?) {
        self.shipment = shipment
        self.checkpointCount = checkpointCount
        self.newestCheckpointID = newestCheckpointID
    }

    public init(_ tracked: TrackedShipment) {
        self.init(shipment: tracked.shipment, checkpointCount: tracked.checkpoints.count, newestCheckpointID: tracked.checkpoints.map(\.id).max())
    }
}
