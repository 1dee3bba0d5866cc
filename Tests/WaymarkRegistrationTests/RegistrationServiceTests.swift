import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import WaymarkCore
import WaymarkProviders
import WaymarkStore

/// The queue end to end: shipments created in the store, the service's passes against a local
/// stand-in for the providers, and what the shipment shows afterwards.
@Suite("Registration service")
struct RegistrationServiceTests {
    /// 2026-03-02 09:00 UTC, whole seconds: the tests' clock starts here.
    static let start = Date(timeIntervalSince1970: 1_772_442_000)

    /// A clock the test moves by hand: no test waits for real minutes.
    final class TestClock: Sendable {
        private let current = Mutex(RegistrationServiceTests.start)
        var now: Date { current.withLock { $0 } }
        func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }
    }

    struct Setup {
        let database: AppDatabase
        let tenant: Tenant
        let clock = TestClock()
        let logs = LogCapture()

        /// A fresh database with one tenant registering at `provider` with `apiKey`.
        static func make(provider: String, apiKey: String?) async throws -> Setup {
            let database = try AppDatabase.temporary()
            let tenant = try await database.createTenant(NewTenant(
                slug: try TenantSlug("shop"), name: "Shop", ownerEmail: try EmailAddress("owner@shop.test"),
                ownerPassword: "correct horse battery")).tenant
            _ = try await database.setProviderAccount(tenantID: tenant.id, provider: provider, secret: nil, apiKey: apiKey, register: true)
            return Setup(database: database, tenant: tenant)
        }

        func createShipments(_ numbers: [String], carrier: String = "ups") async throws -> [Shipment] {
            let drafts = try numbers.map { number in
                try NewShipment(trackingNumber: number, carrier: carrier, customer: Customer(email: "jane@example.com")).validated()
            }
            return try await database.createShipments(tenantID: tenant.id, drafts, now: clock.now).compactMap { try? $0.get() }
        }

        /// The service with the live clients pointed at `baseURL`, this clock and no jitter.
        func service(baseURL: String, interval: Duration = .seconds(5)) -> RegistrationService {
            let urls = ProviderBaseURLs(track123: baseURL, aftership: baseURL, seventeenTrack: baseURL, easypost: baseURL, shippo: baseURL)
            let clock = clock
            return RegistrationService(
                database: database, clients: RegistrationService.liveClients(baseURLs: urls), interval: interval,
                now: { clock.now }, random: { 0 }, logger: logs.logger())
        }

        func registrationError(_ shipment: Shipment) async throws -> String? {
            try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.registrationError
        }
    }

    @Test("17TRACK: 95 due numbers go out as 3 requests of at most 40, and all are registered")
    func seventeenTrackBatches() async throws {
        let setup = try await Setup.make(provider: "17track", apiKey: "17-key")
        let numbers = (0..<95).map { "NUMBER\($0)" }
        _ = try await setup.createShipments(numbers)
        let server = ProviderStandIn { _, _ in .init(status: .ok, body: #"{"code":0,"data":{"accepted":[],"rejected":[]}}"#) }

        let pass = try await server.serve { base in try await setup.service(baseURL: base).runOnce() }

        let requests = server.received
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.path == "/track/v2.2/register" && $0.headers["17token"] == "17-key" })
        let sizes = requests.map { $0.json?.array?.count ?? 0 }
        #expect(sizes.allSatisfy { $0 <= 40 } && sizes.reduce(0, +) == 95)
        let sent = requests.flatMap { $0.json?.array ?? [] }.compactMap { item -> String? in
            if case .string(let number) = item["number"] { number } else { nil }
        }
        #expect(Set(sent) == Set(numbers))
        #expect(pass == RegistrationService.Pass(claimed: 95, registered: 95))
        #expect(try await setup.database.registrationJobCounts() == ["done": 95])
    }

    @Test("A 500 is retried after the backoff, not before, and then succeeds")
    func serverErrorIsRetriedAfterBackoff() async throws {
        let setup = try await Setup.make(provider: "aftership", apiKey: "as-key")
        let shipment = try #require(try await setup.createShipments(["RETRY1"]).first)
        let server = ProviderStandIn { _, index in
            index == 0 ? .init(status: .internalServerError, body: #"{"meta":{"code":500,"message":"Something went wrong."}}"#) : .init(status: .created)
        }

        try await server.serve { base async throws -> Void in
            let service = setup.service(baseURL: base)
            #expect(try await service.runOnce().retrying == 1)
            #expect(try await setup.registrationError(shipment) == "aftership: 500 Internal Server Error (Something went wrong)")

            setup.clock.advance(by: 59)
            #expect(try await service.runOnce().claimed == 0)

            setup.clock.advance(by: 1)
            #expect(try await service.runOnce().registered == 1)
        }

        #expect(server.received.count == 2)
        #expect(try await setup.registrationError(shipment) == nil)
        #expect(try await setup.database.registrationJobCounts() == ["done": 1])
    }

    @Test("A 401 fails the job at once, and the shipment says the key was refused")
    func unauthorizedFailsTheJob() async throws {
        let setup = try await Setup.make(provider: "aftership", apiKey: "as-wrong-key")
        let shipment = try #require(try await setup.createShipments(["REFUSED1"]).first)
        let server = ProviderStandIn { _, _ in .init(status: .unauthorized, body: #"{"meta":{"code":401,"message":"Invalid API key."}}"#) }

        let pass = try await server.serve { base in
            let service = setup.service(baseURL: base)
            let first = try await service.runOnce()
            setup.clock.advance(by: 86_400 * 3)
            #expect(try await service.runOnce().claimed == 0)
            return first
        }

        #expect(pass.failed == 1)
        #expect(server.received.count == 1)
        #expect(try await setup.registrationError(shipment) == "aftership: 401 Unauthorized (invalid API key)")
        #expect(try await setup.database.registrationJobCounts() == ["failed": 1])
        #expect(!setup.logs.text.contains("as-wrong-key"))
        #expect(setup.logs.text.contains("aftership: 401 Unauthorized (invalid API key)"))
    }

    @Test("Each tenant's numbers go out with that tenant's own key, never mixed in one request")
    func tenantsAreBatchedApart() async throws {
        let setup = try await Setup.make(provider: "17track", apiKey: "key-shop")
        let other = try await setup.database.createTenant(NewTenant(
            slug: try TenantSlug("other"), name: "Other", ownerEmail: try EmailAddress("owner@other.test"),
            ownerPassword: "correct horse battery")).tenant
        _ = try await setup.database.setProviderAccount(tenantID: other.id, provider: "17track", secret: nil, apiKey: "key-other", register: true)
        _ = try await setup.createShipments(["SHOP1", "SHOP2"])
        _ = try await setup.database.createShipment(
            tenantID: other.id, try NewShipment(trackingNumber: "OTHER1", carrier: "ups").validated(), now: setup.clock.now)
        let server = ProviderStandIn { _, _ in .init(status: .ok, body: #"{"code":0}"#) }

        _ = try await server.serve { base in try await setup.service(baseURL: base).runOnce() }

        let byKey = Dictionary(grouping: server.received) { $0.headers["17token"] ?? "" }.mapValues { requests in
            requests.flatMap { $0.json?.array ?? [] }.count
        }
        #expect(byKey == ["key-shop": 2, "key-other": 1])
    }

    @Test("A provider account without an API key fails its jobs without a request")
    func missingKeyFailsWithoutARequest() async throws {
        let setup = try await Setup.make(provider: "easypost", apiKey: nil)
        let shipment = try #require(try await setup.createShipments(["NOKEY1"]).first)
        let server = ProviderStandIn()

        _ = try await server.serve { base in try await setup.service(baseURL: base).runOnce() }

        #expect(server.received.isEmpty)
        #expect(try await setup.registrationError(shipment) == "easypost: no API key is set for this provider")
    }

    @Test("Running as a service it registers due numbers, and stops on graceful shutdown")
    func runsUntilGracefulShutdown() async throws {
        let setup = try await Setup.make(provider: "shippo", apiKey: "shippo-key")
        let shipment = try #require(try await setup.createShipments(["LIVE1"]).first)
        let server = ProviderStandIn()

        try await server.serve { base in
            let group = ServiceGroup(
                services: [setup.service(baseURL: base, interval: .milliseconds(50))], gracefulShutdownSignals: [], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for _ in 0..<200 where try await setup.database.registrationJobCounts()["done"] != 1 {
                    try await Task.sleep(for: .milliseconds(25))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }

        #expect(server.received.count == 1)
        #expect(server.received.first?.headers["authorization"] == "ShippoToken shippo-key")
        #expect(try await setup.database.registrationJobCounts() == ["done": 1])
        #expect(try await setup.registrationError(shipment) == nil)
    }
}

/// Collects every log line with its metadata, so tests can check what reaches the logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
