import Foundation
import GRDB
import WaymarkCore
import WaymarkStore

/// A fixed instant (2025-06-15 12:00:00 UTC), whole seconds so it survives the database's
/// millisecond timestamps exactly.
let storeReferenceDate = Date(timeIntervalSince1970: 1_749_988_800)

enum Fixture {
    static let password = "correct horse battery staple"

    /// A tenant named after its slug, owned by `owner@<slug>.example`.
    static func tenant(_ database: AppDatabase, slug: String, ownerEmail: String? = nil) async throws -> CreatedTenant {
        try await database.createTenant(NewTenant(
            slug: TenantSlug(slug), name: "Shop \(slug)",
            ownerEmail: EmailAddress(ownerEmail ?? "owner@\(slug).example"), ownerPassword: password))
    }

    /// A validated shipment with the usual fields.
    static func shipment(
        _ number: String = "1Z999AA10123456784", carrier: String? = "ups", orderNumber: String? = "A-1001",
        email: String? = "Jane.Doe@example.com", phone: String? = nil, postalCode: String? = "SW1A1AA"
    ) throws -> NewShipment {
        try NewShipment(
            trackingNumber: number, carrier: carrier, orderNumber: orderNumber,
            customer: Customer(name: "Jane Doe", email: email, phone: phone),
            destination: Destination(city: "London", postalCode: postalCode, country: "GB")
        ).validated()
    }

    /// A checkpoint `seconds` after the reference date.
    static func event(_ seconds: TimeInterval, _ status: DeliveryStatus, _ message: String = "scan", substatus: Substatus? = nil) -> CheckpointEvent {
        CheckpointEvent(
            occurredAt: storeReferenceDate.addingTimeInterval(seconds), status: status, substatus: substatus,
            message: message, source: "test")
    }
}

/// Reads the store's SQLite file over a separate, read-only GRDB connection, for facts the
/// store's API does not expose (hashes, subscriptions, row counts).
func rawRead<T: Sendable>(_ database: AppDatabase, _ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(path: database.path, configuration: configuration)
    return try await queue.read(value)
}

func rowCount(_ database: AppDatabase, _ table: String) async throws -> Int {
    try await rawRead(database) { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
}
