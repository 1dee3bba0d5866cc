import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing
@testable import WaymarkWeb

@Suite struct MetricsEndpointTests {
    @Test("GET /metrics shows the registry it was given, in the Prometheus text format")
    func scrape() async throws {
        let fixture = try await Fixture.make()
        let registry = PrometheusCollectorRegistry()
        Counter(label: "waymark_notifications_sent_total", dimensions: [("channel", "webhook")], factory: PrometheusMetricsFactory(registry: registry))
            .increment(by: 3)
        let app = try await buildApplication(
            config: fixture.config, database: fixture.database, outside: OutsideServices(metrics: registry, now: { Fixture.now }), logger: fixture.logs.logger())
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(response.text.contains(#"waymark_notifications_sent_total{channel="webhook"} 3"#))
            }
        }
    }
}
