import Hummingbird
import Logging

/// One log line per request naming the route *pattern* (`/{tenant}/t/{token}`), never the path:
/// paths carry tracking tokens, and query strings carry emails. The line reads
/// `… info waymark: hb.request.id=… [WaymarkWeb] request method=GET route=/{tenant}/t/{token} status=200 ms=0.12`.
enum AccessLog {
    static func write(_ request: Request, _ context: WaymarkRequestContext, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        // Hundredths of a millisecond, written as `1.07` without a Foundation formatter.
        let hundredths = elapsed.components.seconds * 100_000 + elapsed.components.attoseconds / 10_000_000_000_000
        let fraction = hundredths % 100
        // The fields are in the message, in a fixed order, rather than in metadata: one string
        // instead of a dictionary to build, merge and sort for every request.
        context.logger.info(
            "request method=\(request.method.rawValue) route=\(context.endpointPath ?? "unmatched") status=\(status) ms=\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)")
    }
}
