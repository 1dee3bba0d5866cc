import Hummingbird
import Prometheus

/// `GET /metrics`: the process's metrics in the Prometheus text format, for the operator's scraper.
struct MetricsController {
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.metrics, .get) { _, _ -> Response in
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
