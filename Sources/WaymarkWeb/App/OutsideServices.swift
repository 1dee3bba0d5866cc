import Foundation
import Logging
import Metrics
import NIOSSL
import Prometheus
import WaymarkCore
import WaymarkNotify
import WaymarkProviders

/// Everything the running system reaches outside the process: the mail relay, the SMS provider,
/// merchants' webhook endpoints (through a resolver and TLS settings), the DNS that proves custom domains, the tracking providers
/// numbers are registered with, the metrics registry, and the clock. `waymark serve` fills it from
/// the environment; a test passes doubles and local peers, and builds exactly what runs.
public struct OutsideServices: Sendable {
    /// Where emails go; nil: `.eml` files in `./outbox-mail`, as a server started with no settings does.
    public var mail: EmailChannel.Setup?
    /// Where texts go; nil: the log.
    public var sms: (any SMSTransport)?
    /// How merchants' webhook host names are resolved (then vetted by the SSRF guard).
    public var resolver: any Resolver
    /// Where the TXT records that prove merchants' custom domains are looked up.
    public var domainProof: any TXTResolver
    /// TLS for https webhook endpoints; nil: the system's trust store.
    public var webhookTLS: TLSConfiguration?
    /// One client per provider that numbers are registered with.
    public var registrationClients: [any RegistrationClient]
    /// What `GET /metrics` shows; `serve` bootstraps the process's metrics system with it.
    public var metrics: PrometheusCollectorRegistry
    public var now: @Sendable () -> Date

    public init(
        mail: EmailChannel.Setup? = nil, sms: (any SMSTransport)? = nil, resolver: any Resolver = SystemResolver(), domainProof: any TXTResolver = SystemDNS(),
        webhookTLS: TLSConfiguration? = nil, registrationClients: [any RegistrationClient] = RegistrationService.liveClients(),
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.mail = mail
        self.sms = sms
        self.resolver = resolver
        self.domainProof = domainProof
        self.webhookTLS = webhookTLS
        self.registrationClients = registrationClients
        self.metrics = metrics
        self.now = now
    }
}

extension OutsideServices {
    /// The metrics factory that writes into `metrics`, with the delivery-time buckets the
    /// dispatcher's histogram needs. `serve` installs it process-wide.
    public var metricsFactory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: metrics)
        factory.durationHistogramBuckets[DispatchMetrics.deliveryTimeLabel] = DispatchMetrics.deliveryTimeBuckets
        return factory
    }
}
