import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import WaymarkCore
import WaymarkNotify
import WaymarkProviders
import WaymarkStore
import WaymarkWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate the database if needed, then serve HTTP and run the background workers.")

    @Option(help: "Address to listen on (env WAYMARK_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env WAYMARK_PORT; default 8080).") var port: Int?
    @Option(name: .customLong("base-url"), help: "Public origin for links, e.g. https://track.example.com (env WAYMARK_BASE_URL).")
    var baseURL: String?
    @Flag(help: "Create the demo merchant 'acme' if missing and keep its shipments moving.") var demo = false
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        bootstrapLogging()
        // What is still in memory when the server stops (or fails to start) reaches stderr.
        defer { LogWriter.standardError.flush() }
        let logger = Logger(label: "waymark")
        let host = host ?? Environment.string("WAYMARK_HOST") ?? "127.0.0.1"
        let portText = port.map(String.init) ?? Environment.string("WAYMARK_PORT") ?? "8080"
        // Not 0 ("any free port"): tracking links and the demo's own webhook URL name the port.
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw CLIError("port '\(portText)' must be a number from 1 to 65535")
        }
        let baseURL = baseURL ?? Environment.string("WAYMARK_BASE_URL")
        if let baseURL, URL(string: baseURL)?.host == nil || !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
            throw CLIError("base URL '\(baseURL)' must be an absolute http(s) URL like https://track.example.com")
        }
        // Where numbers are registered (WAYMARK_*_URL); checked before anything starts.
        let providerURLs: ProviderBaseURLs
        do {
            providerURLs = try ProviderBaseURLs(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CLIError("\(error)")
        }
        let rateText = Environment.string("WAYMARK_API_RATE_LIMIT") ?? "1200"
        guard let apiRate = Int(rateText), apiRate > 0 else {
            throw CLIError("WAYMARK_API_RATE_LIMIT '\(rateText)' must be a positive number of requests per minute")
        }
        // Which private ranges merchants' webhook URLs may reach (none unless the operator says).
        var outboundPolicy: OutboundPolicy
        do {
            outboundPolicy = try OutboundPolicy(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CLIError("\(error)")
        }
        if demo, let loopback = try? CIDR(parsing: "127.0.0.1/32") {
            // The demo merchant's endpoint is this server's own receiver, on loopback.
            outboundPolicy = OutboundPolicy(allowedRanges: outboundPolicy.allowedRanges + [loopback])
        }
        let environment = ProcessInfo.processInfo.environment
        var config = AppConfig(
            host: host, port: port, databasePath: try database.location.description, baseURL: baseURL, demo: demo, apiRequestsPerMinute: apiRate,
            outboundPolicy: outboundPolicy)
        if let url = Environment.string("WAYMARK_SMS_URL") {
            do { config.sms = try SMSConfiguration(url: url) } catch { throw CLIError(error.description) }
        }
        // Nodes sharing one database claim deliveries under their own id, for a lease.
        if let node = Environment.string("WAYMARK_NODE_ID") { config.dispatcher.nodeID = node }
        if let seconds = try Environment.seconds("WAYMARK_DELIVERY_LEASE", from: 1, example: 300) {
            config.dispatcher.lease = seconds
        }
        if let seconds = try Environment.seconds("WAYMARK_WEBHOOK_TIMEOUT", from: 0.1, example: 15) {
            config.webhookTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = Environment.string("WAYMARK_DEMO_INTERVAL").flatMap(Double.init), seconds > 0 {
            config.demoInterval = .milliseconds(Int(seconds * 1000))
        }
        let db = try await database.open(baseURL: config.baseURL, serving: true)

        // Email goes to WAYMARK_SMTP_URL or, without it, into .eml files; texts go to
        // WAYMARK_SMS_URL or, without it, the log; numbers are registered at WAYMARK_*_URL.
        var outside = OutsideServices(registrationClients: RegistrationService.liveClients(baseURLs: providerURLs))
        do {
            outside.mail = try EmailChannel.Setup.fromEnvironment(environment, links: db.links)
        } catch {
            throw CLIError(error.description)
        }
        outside.sms = config.sms.map { TwilioSMSClient(configuration: $0) }
        do {
            outside.domainProof = try DNSClient.configured(environment["WAYMARK_DNS_SERVER"])
        } catch {
            throw CLIError("WAYMARK_DNS_SERVER: \(error)")
        }
        MetricsSystem.bootstrap(outside.metricsFactory)

        let app = try await buildApplication(config: config, database: db, outside: outside, logger: logger) { [config] seeded in
            Self.printDemoBanner(seeded, config: config)
        }
        try await app.runService()
    }

    private static func printDemoBanner(_ seeded: DemoMerchant.Seeded, config: AppConfig) {
        var lines = [
            "",
            "Waymark demo: \(seeded.tenant.name)",
            "  Lookup page:  \(config.baseURL + SiteRoute.lookupPage.path(seeded.tenant.slug))",
            "  Admin:        \(config.baseURL + SiteRoute.adminLogin.path())",
            "  Owner login:  \(DemoMerchant.ownerEmail)",
        ]
        if let password = seeded.ownerPassword {
            lines.append("  Password:     \(password)   (shown once; the demo keeps it)")
        }
        lines.append("  Agent login:  \(DemoMerchant.agentEmail)")
        if let password = seeded.agentPassword {
            lines.append("  Password:     \(password)   (shown once)")
        }
        lines.append("  Tracking links:")
        for shipment in seeded.showcase {
            lines.append("    \(shipment.status.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) \(config.baseURL + SiteRoute.trackingPage.path(seeded.tenant.slug, shipment.token))")
        }
        let mail = Environment.string("WAYMARK_SMTP_URL") == nil
            ? "written to \(Environment.string("WAYMARK_MAIL_DIR") ?? "./outbox-mail")/ as .eml files (set WAYMARK_SMTP_URL to send them)"
            : "sent through WAYMARK_SMTP_URL"
        lines.append("  Emails:       \(mail)")
        lines.append("  Webhooks:     signed, to \(config.baseURL + SiteRoute.demoWebhooks.path()), which verifies them (see the log)")
        lines.append("")
        // Unbuffered: the banner must show before the server's first log line, also when piped.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let location = try database.location
        switch location {
        case .sqlite(let path):
            _ = try AppDatabase(path: path)
        case .postgres(let url):
            let store = PostgresStore(url: url, connections: try database.pool)
            do {
                let applied = try await store.migrate()
                await store.close()
                if !applied.isEmpty { print("applied \(applied.joined(separator: ", "))") }
            } catch {
                await store.close()
                throw CLIError("cannot migrate \(url): \(error)")
            }
        }
        print("database \(location) is up to date")
    }
}

extension DatabaseOptions {
    /// Opens the database and brings its schema up to date, turning failures into a sentence
    /// about it. Links written into messages start with `baseURL`, else `WAYMARK_BASE_URL`, else
    /// the default local origin. A server (`serving`) also hears of other nodes' deliveries.
    func open(baseURL: String? = nil, serving: Bool = false) async throws -> any WaymarkStorage {
        let links = PublicLinks(baseURL: AppConfig(baseURL: baseURL ?? Environment.string("WAYMARK_BASE_URL")).baseURL)
        switch try location {
        case .sqlite(let path):
            do {
                return try AppDatabase(path: path, links: links)
            } catch {
                throw CLIError("cannot open database '\(path)': \(error)")
            }
        case .postgres(let url):
            let store = PostgresStore(url: url, replicas: try replicas, connections: try pool, links: links)
            do {
                try await store.migrate()
            } catch {
                await store.close()
                throw CLIError("cannot open database \(url): \(error)")
            }
            if serving { store.listenToOtherNodes() }
            return store
        }
    }
}
