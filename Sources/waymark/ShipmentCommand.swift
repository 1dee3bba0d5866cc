import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkWeb

struct ShipmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shipment", abstract: "Register shipments.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a shipment and print its tracking link.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(name: .customLong("tracking-number"), help: "The carrier's tracking number.") var trackingNumber: String
        @Option(help: "Carrier code (see the carriers list); detected when omitted.") var carrier: String?
        @Option(name: .customLong("order-number"), help: "The merchant's order number.") var orderNumber: String?
        @Option(help: "The shopper's email address.") var email: String?
        @Option(help: "The shopper's phone number, international format (+14155550123).") var phone: String?
        @Option(name: .customLong("base-url"), help: "Public origin for the tracking link (env WAYMARK_BASE_URL).")
        var baseURL: String?
        @Flag(help: "Print the shipment as the API does.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let draft: NewShipment
            do {
                draft = try NewShipment(
                    trackingNumber: trackingNumber, carrier: carrier, orderNumber: orderNumber,
                    customer: Customer(email: email, phone: phone)
                ).validated()
            } catch {
                throw CLIError(error.problems.map { "--\(Self.flag(for: $0.field)): \($0.reason)" }.joined(separator: "; "))
            }
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            let shipment: Shipment
            do {
                shipment = try await db.createShipment(tenantID: found.id, draft, now: Date())
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            let base = AppConfig(baseURL: baseURL ?? Environment.string("WAYMARK_BASE_URL")).baseURL
            let resource = ShipmentResource(TrackedShipment(shipment: shipment, checkpoints: []), baseURL: base, tenantSlug: found.slug)
            if json {
                try printJSON(resource)
            } else {
                print("Created shipment \(shipment.id) (\(shipment.carrier) \(shipment.trackingNumber))")
                print("Tracking link: \(resource.tracking_url)")
            }
        }

        static func flag(for field: String?) -> String {
            switch field {
            case "customer.email": "email"
            case "customer.phone": "phone"
            case let field?: field.replacingOccurrences(of: "_", with: "-")
            case nil: "input"
            }
        }
    }
}
