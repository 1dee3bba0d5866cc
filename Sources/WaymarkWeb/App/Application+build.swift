import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import WaymarkCore
import WaymarkNotify
import WaymarkProviders
import WaymarkStore

/// The application type `buildApplication` returns.
public typealias WaymarkApplication = Application<CustomDomainResponder<RouterResponder<WaymarkRequestContext>>>

/// Builds the whole web application. `waymark serve` and the tests both call this, so what the
/// tests exercise is what runs.
///
/// - Parameters:
///   - services: background workers (the demo simulator, later the dispatcher) that run and
///     stop with the server.
///   - metrics: the registry `GET /metrics` shows; `waymark serve` passes the one its
///     `MetricsSystem` writes to, tests their own.
///   - now: the clock for "is this ETA late?"; tests pin it.
public func buildApplication(
    config: AppConfig, database: AppDatabase, services: [any Service] = [], logger: Logger = Logger(label: "waymark"),
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), now: @escaping @Sendable () -> Date = { Date() }
) async throws -> WaymarkApplication {
    let router = try await buildRouter(config: config, database: database, logger: logger, metrics: metrics, now: now)
    let responder = CustomDomainResponder(inner: router.buildResponder(), database: database, baseHost: config.baseHost)
    return Application(
        responder: responder,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "waymark"),
        services: services,
        logger: logger)
}

/// The router with every route of `SiteRoute` and the middleware in front of them.
func buildRouter(
    config: AppConfig, database: AppDatabase, logger: Logger, metrics: PrometheusCollectorRegistry, now: @escaping @Sendable () -> Date
) async throws -> Router<WaymarkRequestContext> {
    let renderer = try await PageRenderer(viewsPath: "\(config.resourcesPath)/Views")
    let catalog = try Catalog(directory: "\(config.resourcesPath)/Locales")

    // HEAD is answered wherever GET is: link-preview bots and uptime checks use it.
    let router = Router(context: WaymarkRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware(servesTLS: config.baseURL.hasPrefix("https://")))
    router.add(middleware: ErrorPageMiddleware(renderer: renderer, catalog: catalog))
    router.add(middleware: FileMiddleware(
        "\(config.resourcesPath)/Public", urlBasePath: SiteRoute.staticFiles.template, cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(3600)])]),
        logger: logger))

    OpsController(database: database).addRoutes(to: router)
    MetricsController(registry: metrics).addRoutes(to: router)
    try OpenAPIController(resourcesPath: config.resourcesPath).addRoutes(to: router)

    let api = router.group(RouterPath(SiteRoute.Mount.api.rawValue))
        .add(middleware: APIKeyMiddleware(database: database, limiter: RateLimiter(perMinute: config.apiRequestsPerMinute)))
    ShipmentsController(database: database, baseURL: config.baseURL, now: now).addRoutes(to: api)
    ShipmentImportController(database: database).addRoutes(to: api)
    CarriersController().addRoutes(to: api)
    WebhookEndpointsController(database: database, urlCheck: URLCheck(policy: config.outboundPolicy), now: now).addRoutes(to: api)
    DeliveriesController(database: database, now: now).addRoutes(to: api)

    HooksController(database: database, now: now).addRoutes(to: router)
    SMSReplyController(database: database, catalog: catalog, configuration: config.sms, baseURL: config.baseURL).addRoutes(to: router)
    if config.demo {
        DemoWebhookReceiver(database: database, tenantSlug: DemoMerchant.slug, logger: logger).addRoutes(to: router)
    }

    ShopperController(
        database: database, renderer: renderer, catalog: catalog,
        clientThrottle: RateLimiter(perMinute: config.lookupsPerMinutePerClient),
        tenantThrottle: RateLimiter(perMinute: config.lookupsPerMinutePerTenant),
        pageCache: TrackingPageCache(),
        now: now
    ).addRoutes(to: router)
    return router
}
