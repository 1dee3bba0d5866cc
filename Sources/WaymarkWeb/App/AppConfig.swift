import Foundation
import WaymarkCore
import WaymarkNotify

/// Everything `waymark serve` can be told, resolved from flags, then environment, then defaults.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    public var databasePath: String
    /// The public origin of this server, without a trailing slash; tracking links start with it.
    public var baseURL: String
    /// Where `Views/`, `Public/` and `Locales/` live.
    public var resourcesPath: String
    public var demo: Bool
    /// Shopper lookups allowed per client address per minute.
    public var lookupsPerMinutePerClient: Int
    /// Shopper lookups allowed per tenant per minute, whatever the address.
    public var lookupsPerMinutePerTenant: Int
    /// API requests allowed per API key per minute.
    public var apiRequestsPerMinute: Int
    /// The SMS provider (`WAYMARK_SMS_URL`); its auth token verifies inbound texts. Nil: texts
    /// go to the log and `/hooks/sms` is off.
    public var sms: SMSConfiguration?
    /// Which private ranges merchant URLs (webhook endpoints) may reach; none by default. The CLI
    /// reads it from `WAYMARK_OUTBOUND_ALLOW`.
    public var outboundPolicy: OutboundPolicy
    /// The dispatcher's caps and timings.
    public var dispatcher: DispatcherConfiguration = .init()
    /// How long a merchant's endpoint has to answer a webhook (`WAYMARK_WEBHOOK_TIMEOUT`, seconds),
    /// connecting included; past it the attempt fails and is retried on the delivery schedule.
    public var webhookTimeout: Duration = .seconds(15)
    /// How often the demo's simulator moves a shipment on (`WAYMARK_DEMO_INTERVAL`, seconds).
    public var demoInterval: Duration = .seconds(5)
    /// Whether the background workers (dispatcher, registration, maintenance, simulator) run with
    /// the server. `serve` runs them; a test of the HTTP surface alone may leave them out, since
    /// Hummingbird's router tests run an application's services too.
    public var runsWorkers = true
    /// How long admin sessions live (2 h idle, 12 h in all).
    public var sessionLifetime = SessionLifetime()
    /// Sign-in attempts per account from one client address, and per client address, per minute.
    public var loginsPerMinutePerAccount = 5
    public var loginsPerMinutePerClient = 20
    /// How often counted page views and API key uses are written.
    public var usageFlushInterval: Duration = .seconds(5)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String = "./waymark.sqlite",
        baseURL: String? = nil, resourcesPath: String = AppConfig.defaultResourcesPath(), demo: Bool = false,
        lookupsPerMinutePerClient: Int = 10, lookupsPerMinutePerTenant: Int = 600, apiRequestsPerMinute: Int = 1_200,
        outboundPolicy: OutboundPolicy = .publicInternetOnly
    ) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        var base = baseURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.resourcesPath = resourcesPath
        self.demo = demo
        self.lookupsPerMinutePerClient = lookupsPerMinutePerClient
        self.lookupsPerMinutePerTenant = lookupsPerMinutePerTenant
        self.apiRequestsPerMinute = apiRequestsPerMinute
        self.outboundPolicy = outboundPolicy
    }

    /// The host (without port) of the base URL: requests for any other host may be a tenant's
    /// custom domain.
    public var baseHost: String {
        URLComponents(string: baseURL)?.host?.lowercased() ?? "127.0.0.1"
    }

    /// `WAYMARK_RESOURCES` if set; else the working directory when it holds `Views/`; else the
    /// checkout this binary was built from (so `swift run` and `swift test` work from anywhere).
    public static func defaultResourcesPath() -> String {
        if let explicit = ProcessInfo.processInfo.environment["WAYMARK_RESOURCES"], !explicit.isEmpty { return explicit }
        let cwd = FileManager.default.currentDirectoryPath
        if FileManager.default.fileExists(atPath: cwd + "/Views") { return cwd }
        // Sources/WaymarkWeb/App/AppConfig.swift -> four levels up is the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }
}
