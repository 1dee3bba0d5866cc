import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// Two merchants with a shipment each, in a fresh database file, and the app built on them the
/// way `waymark serve` builds it.
struct Fixture {
    let database: AppDatabase
    let acme: CreatedTenant
    let globex: CreatedTenant
    let acmeShipment: Shipment
    let globexShipment: Shipment
    let config: AppConfig
    let logs: LogCapture

    /// 2026-11-27 12:00 UTC: the tests' "now".
    static let now = Date(timeIntervalSince1970: 1_795_780_800)

    static func make(lookupsPerMinute: Int = 1_000, configure: (inout AppConfig) -> Void = { _ in }) async throws -> Fixture {
        let database = try AppDatabase.temporary()
        let acme = try await database.createTenant(NewTenant(
            slug: try TenantSlug("acme"), name: "Acme Outfitters", ownerEmail: try EmailAddress("owner@acme.test"),
            ownerPassword: "correct horse battery", branding: Branding(primaryColor: HexColor("#7c2d12")!, logoURL: "https://cdn.acme.test/logo.png"),
            defaultLocale: "en"), now: now.addingTimeInterval(-30 * 86_400))
        let globex = try await database.createTenant(NewTenant(
            slug: try TenantSlug("globex"), name: "Globex", ownerEmail: try EmailAddress("owner@globex.test"),
            ownerPassword: "correct horse battery", defaultLocale: "de"), now: now.addingTimeInterval(-30 * 86_400))
        let acmeShipment = try await database.createShipment(tenantID: acme.tenant.id, try NewShipment(
            trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "ACME-1001",
            customer: Customer(name: "Jane Shopper", email: "jane@example.com", phone: "+14155550123"),
            destination: Destination(city: "Brooklyn", region: "NY", postalCode: "11201", country: "US"),
            eta: Date(timeIntervalSince1970: 1_795_996_800)  // 2026-11-30
        ).validated(), now: now.addingTimeInterval(-86_400 * 2))
        _ = try await database.recordCheckpoints(tenantID: acme.tenant.id, shipmentID: acmeShipment.id, events: [
            CheckpointEvent(
                occurredAt: now.addingTimeInterval(-86_400), utcOffsetSeconds: -8 * 3600, status: .infoReceived,
                message: "Label created", location: Place(city: "Los Angeles", region: "CA", country: "US"), source: "test"),
            CheckpointEvent(
                occurredAt: now.addingTimeInterval(-3_600), utcOffsetSeconds: -5 * 3600, status: .outForDelivery,
                message: "Out for delivery", location: Place(city: "Brooklyn", region: "NY", country: "US"), source: "test"),
            CheckpointEvent(
                occurredAt: now.addingTimeInterval(-43_200), utcOffsetSeconds: -5 * 3600, status: .inTransit,
                substatus: Substatus(status: .inTransit, reason: "arrived"), message: "Arrived at facility",
                location: Place(city: "Secaucus", region: "NJ", country: "US"), source: "test"),
        ], now: now)
        let globexShipment = try await database.createShipment(tenantID: globex.tenant.id, try NewShipment(
            trackingNumber: "00340434161094042557", carrier: "dhl", orderNumber: "G-77",
            customer: Customer(email: "max@example.de"), destination: Destination(city: "Berlin", postalCode: "10115", country: "DE")
        ).validated(), now: now)

        var config = AppConfig(
            host: "127.0.0.1", port: 0, databasePath: database.path, baseURL: "https://track.waymark.test",
            lookupsPerMinutePerClient: lookupsPerMinute, lookupsPerMinutePerTenant: lookupsPerMinute * 10)
        // Router tests see the HTTP surface alone; FullApplicationTests turns the workers on.
        config.runsWorkers = false
        configure(&config)
        let reloaded = try #require(try await database.shipment(tenantID: acme.tenant.id, id: acmeShipment.id))
        return Fixture(
            database: database, acme: acme, globex: globex, acmeShipment: reloaded.shipment, globexShipment: globexShipment,
            config: config, logs: LogCapture())
    }

    func app() async throws -> WaymarkApplication {
        try await buildApplication(config: config, database: database, outside: OutsideServices(now: { Fixture.now }), logger: logs.logger())
    }

    var acmeTrackingPath: String { "/acme/t/\(acmeShipment.token)" }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// Collects every log line (message and metadata) so tests can search them for secrets.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    func logger() -> Logger {
        var logger = Logger(label: "waymark-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(merged)") }
        }
    }
}

/// Form-encodes fields for the lookup form.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    let text = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    return ByteBuffer(string: text)
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

/// The package root, for reading Views/ and ../shared/testdata.
let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()
