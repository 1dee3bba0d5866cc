import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import WaymarkCore
import WaymarkNotify
import WaymarkProviders

/// The application type `buildApplication` returns.
public typealias WaymarkApplication = Application<SiteResponder>

/// Builds the whole running system from `config`: the HTTP server with every route, and the
/// background workers that run and stop with it — the dispatcher with its channels (merchant
/// webhooks, email, SMS) and the message composer, provider registration, maintenance sweeps and,
/// with `config.demo`, the demo merchant and its simulator. `waymark serve` and the tests both
/// call this, so what the tests exercise is what runs.
///
/// - Parameters:
///   - outside: the services outside the process and the clock; tests pass doubles and local peers.
///   - onDemoReady: told the demo merchant once it is seeded (`serve` prints its banner).
public func buildApplication(
    config: AppConfig, database: any WaymarkStorage, outside: OutsideServices = OutsideServices(), logger: Logger = Logger(label: "waymark"),
    onDemoReady: @Sendable (DemoMerchant.Seeded) -> Void = { _ in }
) async throws -> WaymarkApplication {
    let now = outside.now
    let mail = try outside.mail ?? EmailChannel.Setup.fromEnvironment([:], links: database.links)
    let usage = UsageRecorder()
    let routes = try await buildRoutes(
        config: config, database: database, logger: logger, metrics: outside.metrics, mail: mail, usage: usage, domainProof: outside.domainProof,
        now: now)
    // A domain changed here or on another node moves the store's `localSettingsCommits`, which
    // the responder's remembered hosts are read at.
    let responder = routes.buildResponder(customDomains: CustomDomains(database: database, baseHost: config.baseHost, hosts: TenantHosts(database: database)))

    // Shopper messages are rendered from Views/ and Locales/ (a missing template stops the start
    // here); the same composer serves the dispatcher and, later, the admin's previews.
    let composer = try TemplateMessageComposer(
        viewsPath: "\(config.resourcesPath)/Views", catalog: try Catalog(directory: "\(config.resourcesPath)/Locales"),
        links: database.links, overrides: database)
    let channels: [NotificationChannel: any DeliveryChannel] = [
        .webhook: WebhookChannel(
            policy: config.outboundPolicy, configuration: .init(timeout: config.webhookTimeout, tlsConfiguration: outside.webhookTLS),
            resolver: outside.resolver, now: now),
        .email: EmailChannel(composer: composer, transport: mail.transport, defaultSender: mail.sender, now: now),
        .sms: SMSChannel(composer: composer, transport: outside.sms ?? LogSMSTransport(logger: Logger(label: "waymark.sms")), now: now),
    ]
    var services: [any Service] = [
        UsageFlusher(recorder: usage, database: database, interval: config.usageFlushInterval, logger: logger),
        MaintenanceService(database: database, logger: logger, now: now),
        Dispatcher(
            database: database, channels: channels, configuration: config.dispatcher, metrics: DispatchMetrics(factory: outside.metricsFactory),
            logger: Logger(label: "waymark.dispatch"), now: now),
        RegistrationService(
            database: database, nodeID: config.dispatcher.nodeID, clients: outside.registrationClients, now: now, logger: logger),
    ]
    if config.demo {
        let seeded = try await DemoMerchant.seedIfMissing(database, now: now())
        // The demo merchant's endpoint is this server's own receiver, on loopback.
        try await DemoMerchant.ensureWebhookEndpoint(
            database, tenantID: seeded.tenant.id, url: "http://127.0.0.1:\(config.port)" + SiteRoute.demoWebhooks.path(), now: now())
        services.append(ShipmentSimulator(database: database, tenantID: seeded.tenant.id, interval: config.demoInterval, logger: logger))
        onDemoReady(seeded)
    }
    return Application(
        responder: responder,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "waymark"),
        services: config.runsWorkers ? services : [],
        logger: logger)
}

/// The router with every route of `SiteRoute` and the middleware in front of them, and the
/// tracking page's shortcut past it (`SiteResponder`).
struct SiteRoutes {
    let router: Router<WaymarkRequestContext>
    /// The tracking page's and the static files' handlers behind the same middleware as their routes.
    let trackingPage: any HTTPResponder<WaymarkRequestContext>
    let staticFile: any HTTPResponder<WaymarkRequestContext>

    func buildResponder(customDomains: CustomDomains? = nil) -> SiteResponder {
        SiteResponder(customDomains: customDomains, router: router.buildResponder(), trackingPage: trackingPage, staticFile: staticFile)
    }
}

/// Every route of `SiteRoute`, registered on one router.
func buildRoutes(
    config: AppConfig, database: any WaymarkStorage, logger: Logger, metrics: PrometheusCollectorRegistry, mail: EmailChannel.Setup,
    usage: UsageRecorder, domainProof: any TXTResolver, now: @escaping @Sendable () -> Date
) async throws -> SiteRoutes {
    let servesTLS = config.baseURL.hasPrefix("https://")
    let securityHeaders = SecurityHeaders.fields(servesTLS: servesTLS)
    let assets = try StaticAssets(publicPath: "\(config.resourcesPath)/Public", securityHeaders: securityHeaders)
    let renderer = try await PageRenderer(viewsPath: "\(config.resourcesPath)/Views", assets: assets, securityHeaders: securityHeaders)
    let catalog = try Catalog(directory: "\(config.resourcesPath)/Locales")

    // HEAD is answered wherever GET is: link-preview bots and uptime checks use it.
    let router = Router(context: WaymarkRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: EdgeMiddleware(errors: ErrorPages(renderer: renderer, catalog: catalog), servesTLS: servesTLS))

    let staticFiles = StaticAssetsController(assets: assets)
    staticFiles.addRoutes(to: router)
    let staticFile = router.middlewares.constructResponder(finalResponder: CallbackResponder(callback: staticFiles.file))
    OpsController(health: HealthCheck(database: database, logger: logger), securityHeaders: securityHeaders).addRoutes(to: router)
    MetricsController(registry: metrics).addRoutes(to: router)
    try OpenAPIController(resourcesPath: config.resourcesPath).addRoutes(to: router)

    let api = router.group(RouterPath(SiteRoute.Mount.api.rawValue))
        .add(middleware: APIKeyMiddleware(
            database: database, limiter: RateLimiter(perMinute: config.apiRequestsPerMinute, seconds: { now().timeIntervalSince1970 }), usage: usage,
            now: now))
    ShipmentsController(database: database, baseURL: config.baseURL, catalog: catalog, links: PublicLinks(baseURL: config.baseURL), now: now).addRoutes(to: api)
    ShipmentImportController(database: database).addRoutes(to: api)
    CarriersController().addRoutes(to: api)
    WebhookEndpointsController(database: database, urlCheck: URLCheck(policy: config.outboundPolicy), now: now).addRoutes(to: api)
    DeliveriesController(database: database, now: now).addRoutes(to: api)

    HooksController(database: database, refusals: HookRefusals(), accounts: HookAccounts(database: database), now: now).addRoutes(to: router)
    SMSReplyController(database: database, catalog: catalog, configuration: config.sms, baseURL: config.baseURL).addRoutes(to: router)
    if config.demo {
        DemoWebhookReceiver(database: database, tenantSlug: DemoMerchant.slug, logger: logger).addRoutes(to: router)
    }

    let shopper = ShopperController(
        database: database, renderer: renderer, catalog: catalog,
        // On the app's clock, as the sign-in throttles: a test's pinned clock never refills a bucket.
        clientThrottle: RateLimiter(perMinute: config.lookupsPerMinutePerClient, seconds: { now().timeIntervalSince1970 }),
        tenantThrottle: RateLimiter(perMinute: config.lookupsPerMinutePerTenant, seconds: { now().timeIntervalSince1970 }),
        pageCache: TrackingPageCache(),
        stamps: TrackingPageStamps(database: database),
        usage: usage,
        now: now,
        links: PublicLinks(baseURL: config.baseURL))
    shopper.addRoutes(to: router)
    let trackingPage = router.middlewares.constructResponder(finalResponder: CallbackResponder(callback: shopper.trackingPage))

    let site = AdminSite(
        database: database, renderer: renderer, catalog: catalog, cookies: AdminCookies(baseURL: config.baseURL), links: PublicLinks(baseURL: config.baseURL),
        lifetime: config.sessionLifetime, now: now)
    let mailer = AccountMailer(transport: mail.transport, sender: mail.sender, catalog: catalog, logger: logger)
    let admin = router.group(RouterPath(SiteRoute.Mount.admin.rawValue)).add(middleware: AdminMiddleware(site: site))
    AdminAuthController(
        site: site, mailer: mailer,
        accountThrottle: RateLimiter(perMinute: config.loginsPerMinutePerAccount, seconds: { now().timeIntervalSince1970 }),
        clientThrottle: RateLimiter(perMinute: config.loginsPerMinutePerClient, seconds: { now().timeIntervalSince1970 })
    ).addRoutes(to: admin)
    AdminDashboardController(site: site).addRoutes(to: admin)
    AdminShipmentsController(site: site).addRoutes(to: admin)
    AdminTeamController(site: site, mailer: mailer).addRoutes(to: admin)
    AdminAccessController(site: site).addRoutes(to: admin)
    AdminNotificationsController(site: site).addRoutes(to: admin)
    AdminBrandingController(site: site, urlCheck: URLCheck(policy: config.outboundPolicy)).addRoutes(to: admin)
    AdminAfterDeliveryController(site: site, urlCheck: URLCheck(policy: config.outboundPolicy)).addRoutes(to: admin)
    AdminProvidersController(site: site).addRoutes(to: admin)
    AdminDomainController(site: site, resolver: domainProof, baseHost: config.baseHost).addRoutes(to: admin)
    AdminWebhooksController(site: site, urlCheck: URLCheck(policy: config.outboundPolicy)).addRoutes(to: admin)
    AdminTemplatesController(
        site: site, samples: try TemplateSamples.load(resourcesPath: config.resourcesPath, links: PublicLinks(baseURL: config.baseURL), catalog: catalog),
        mailer: mailer, viewsPath: "\(config.resourcesPath)/Views", drafts: PreviewDrafts()
    ).addRoutes(to: admin)
    return SiteRoutes(router: router, trackingPage: trackingPage, staticFile: staticFile)
}
