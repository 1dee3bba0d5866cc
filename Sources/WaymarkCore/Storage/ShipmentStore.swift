import Foundation

/// Filters of `GET /api/v1/shipments`; nil means "any".
public struct ShipmentFilter: Sendable, Equatable {
    public var status: DeliveryStatus?
    public var carrier: String?
    public var trackingNumber: String?
    public var orderNumber: String?
    public var email: String?
    public var createdAfter: Date?
    public var createdBefore: Date?
    /// false: only active shipments (the default); true: only archived ones.
    public var archived = false

    public init() {}
}

/// Where a page of shipments ends: newest first by creation time, then id.
public struct ShipmentCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Opaque to clients: base64url of `seconds|id`.
    public var token: String {
        Base64URL.encode(Array("\(createdAt.timeIntervalSince1970)|\(id)".utf8))
    }

    public init?(token: String) {
        guard let data = Base64URL.decode(token), let text = String(bytes: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let seconds = Double(parts[0]), parts[1].hasPrefix("shp_") else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: seconds), id: String(parts[1]))
    }
}

/// The changeable details of a shipment (`PATCH`); the tracking number, carrier and status are
/// not among them.
public struct ShipmentDetails: Sendable, Equatable {
    public var orderNumber: String?
    public var customer: Customer
    public var destination: Destination
    public var metadata: [String: String]
    public var archived: Bool

    public init(orderNumber: String?, customer: Customer, destination: Destination, metadata: [String: String], archived: Bool) {
        self.orderNumber = orderNumber
        self.customer = customer
        self.destination = destination
        self.metadata = metadata
        self.archived = archived
    }
}

/// What a bulk import did with one shipment.
public enum ImportOutcome: Sendable, Equatable {
    /// Registered now, exactly as `createShipment` registers one.
    case created(Shipment)
    /// The tenant already had a shipment with this carrier and tracking number (perhaps from an
    /// earlier row of the same batch); it is returned as stored and was not touched.
    case unchanged(Shipment)

    public var shipment: Shipment {
        switch self {
        case .created(let shipment), .unchanged(let shipment): shipment
        }
    }
}

/// Shipments with their checkpoints, as merchants create, find, change and delete them.
public protocol ShipmentStore: Sendable {
    /// Creates one shipment (and queues its provider registrations and its `shipment.created`
    /// webhooks in the same transaction). `StoreError.duplicateShipment` if the number is known.
    func createShipment(tenantID: Int64, _ new: NewShipment, now: Date) async throws -> Shipment
    /// Creates many, each on its own: one's failure does not stop the others.
    func createShipments(tenantID: Int64, _ drafts: [NewShipment], now: Date) async throws -> [Result<Shipment, StoreError>]
    /// Creates or updates each, by carrier and tracking number (CSV import).
    func importShipments(tenantID: Int64, _ shipments: [NewShipment], now: Date) async throws -> [ImportOutcome]
    func shipment(tenantID: Int64, id: String) async throws -> TrackedShipment?
    /// The shipment a tracking page's token names.
    func shipment(tenantID: Int64, token: String) async throws -> TrackedShipment?
    /// What a tracking page needs to answer a conditional request without reading the shipment:
    /// the tenant of `slug`, and the page's version stamp (nil for an unknown token).
    func trackingPageStamp(slug: String, token: String) async throws -> (Tenant, TrackingPageStamp?)?
    /// How many write transactions this process has committed so far. Whatever this process
    /// changes, the count changes with it, so an answer read at one count is current while the
    /// count stays; another process's writes are not counted (callers bound their trust in time).
    var localCommits: UInt64 { get }
    /// The shopper's lookup by order number and email or postal code.
    func lookupShipment(tenantID: Int64, orderNumber: String, email: String?, postalCode: String?) async throws -> Shipment?
    func lookupShipment(tenantID: Int64, trackingNumber: String) async throws -> TrackedShipment?
    /// Shipments not yet in a final status, oldest first (the demo simulator's work list).
    func activeShipments(tenantID: Int64, limit: Int) async throws -> [TrackedShipment]
    func shipmentCount(tenantID: Int64) async throws -> Int
    /// One page of the tenant's shipments, newest first, and the cursor of the next page.
    func listShipments(
        tenantID: Int64, filter: ShipmentFilter, limit: Int, after cursor: ShipmentCursor?
    ) async throws -> (page: [TrackedShipment], next: ShipmentCursor?)
    /// Changes what a merchant may change after creation; nil for an unknown shipment.
    func updateShipmentDetails(tenantID: Int64, id: String, _ details: ShipmentDetails, now: Date) async throws -> TrackedShipment?
    func isArchived(tenantID: Int64, id: String) async throws -> Bool
    /// Deletes a shipment with everything about it; false for an unknown one.
    func deleteShipment(tenantID: Int64, id: String) async throws -> Bool
}
