import Foundation

/// A parcel a merchant tracks for a shopper.
public struct Shipment: Hashable, Sendable {
    /// Public, opaque id (`shp_…`).
    public var id: String
    public var tenantID: Int64
    public var trackingNumber: String
    /// A `CarrierRegistry` code, or `unknown`.
    public var carrier: String
    public var orderNumber: String?
    public var customer: Customer
    public var destination: Destination
    public var status: DeliveryStatus
    public var substatus: Substatus?
    /// Estimated delivery day.
    public var eta: Date?
    public var deliveredAt: Date?
    public var lastEventAt: Date?
    /// The secret part of the shopper's tracking link.
    public var token: String
    public var metadata: [String: String]
    /// Set when the merchant archived it, or the retention period after delivery passed.
    public var archivedAt: Date?
    /// Why the number could not be registered at a tracking provider the last time it was tried,
    /// e.g. "aftership: 401 Unauthorized (invalid API key)"; nil once every registration succeeded.
    public var registrationError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantID: Int64, trackingNumber: String, carrier: String, orderNumber: String? = nil,
        customer: Customer = Customer(), destination: Destination = Destination(), status: DeliveryStatus = .pending,
        substatus: Substatus? = nil, eta: Date? = nil, deliveredAt: Date? = nil, lastEventAt: Date? = nil,
        token: String, metadata: [String: String] = [:], archivedAt: Date? = nil, registrationError: String? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.trackingNumber = trackingNumber
        self.carrier = carrier
        self.orderNumber = orderNumber
        self.customer = customer
        self.destination = destination
        self.status = status
        self.substatus = substatus
        self.eta = eta
        self.deliveredAt = deliveredAt
        self.lastEventAt = lastEventAt
        self.token = token
        self.metadata = metadata
        self.archivedAt = archivedAt
        self.registrationError = registrationError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let unknownCarrier = "unknown"

    /// A fresh public id: `shp_` and 20 base64url characters (120 random bits).
    public static func newID() -> String { "shp_" + SecureToken.random(byteCount: 15) }
}

/// The shopper a shipment is for. Private: never shown on the tracking page.
public struct Customer: Hashable, Codable, Sendable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var locale: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, locale: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.locale = locale
    }
}

/// Where a shipment is going, at city level; the postal code is private and used only for lookups.
public struct Destination: Hashable, Codable, Sendable {
    public var city: String?
    public var region: String?
    public var postalCode: String?
    public var country: String?

    public init(city: String? = nil, region: String? = nil, postalCode: String? = nil, country: String? = nil) {
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }

    enum CodingKeys: String, CodingKey {
        case city, region, postalCode = "postal_code", country
    }

    /// Postal codes compare without spaces, hyphens or case: "SW1A 1AA" finds "sw1a1aa".
    public static func postalLookupKey(_ code: String) -> String {
        String(code.uppercased().unicodeScalars.filter { !" -\t".unicodeScalars.contains($0) }.map(Character.init))
    }
}

/// A stored checkpoint of a shipment.
public struct Checkpoint: Hashable, Sendable {
    public var id: Int64
    public var shipmentID: String
    public var event: CheckpointEvent
    public var recordedAt: Date

    public init(id: Int64, shipmentID: String, event: CheckpointEvent, recordedAt: Date) {
        self.id = id
        self.shipmentID = shipmentID
        self.event = event
        self.recordedAt = recordedAt
    }
}
