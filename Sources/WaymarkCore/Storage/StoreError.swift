import Foundation

/// What can go wrong in the store, in words a user can act on.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case slugTaken(String)
    case domainTaken(String)
    case duplicateShipment(carrier: String, trackingNumber: String)
    case tenantNotFound(String)
    case shipmentNotFound
    /// The disk is full: nothing of the write was kept. Reads still work; try again later.
    case storageFull
    /// The storage cannot be used as it is (the file is read-only, unreadable, or was deleted or
    /// replaced while Waymark ran): nothing of the write was kept. The reason is for the operator.
    case storageUnavailable(String)

    /// A fault of the storage rather than of the request: answered 503 with `Retry-After`, never 500.
    public var isStorageFault: Bool {
        switch self {
        case .storageFull, .storageUnavailable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .slugTaken(let slug): "a tenant with slug '\(slug)' already exists"
        case .domainTaken(let domain): "the domain '\(domain)' already serves another tenant"
        case .duplicateShipment(let carrier, let number):
            "a shipment with tracking number '\(number)' and carrier '\(carrier)' already exists"
        case .tenantNotFound(let slug): "no tenant with slug '\(slug)'"
        case .shipmentNotFound: "no such shipment"
        case .storageFull: "the database's disk is full, so nothing was saved; try again once space is freed"
        case .storageUnavailable(let reason): "the database cannot be used (\(reason)), so nothing was saved; try again later"
        }
    }
}
