import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import WaymarkCore

/// Operator endpoints.
struct OpsController {
    let health: HealthCheck

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.healthz, .get) { _, _ -> Response in
            let problem = await health.problem()
            return Response(
                status: problem == nil ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: problem.map { "database unavailable: \($0)\n" } ?? "ok\n")))
        }
    }
}

/// Liveness with a real read: a server that cannot read its database is not alive. The read
/// runs at most once per `interval`; requests in between get its result, so a monitor (or a
/// flood) polling `/healthz` costs the database one query a second.
final class HealthCheck: Sendable {
    private struct Last {
        var at: ContinuousClock.Instant
        var problem: String?
    }

    private let check: @Sendable () async throws -> Void
    private let interval: Duration
    private let last = Mutex<Last?>(nil)

    init(interval: Duration = .seconds(1), check: @escaping @Sendable () async throws -> Void) {
        self.check = check
        self.interval = interval
    }

    /// Reads a row that never exists: a real query, no data.
    convenience init(database: any TenantStore) {
        self.init { _ = try await database.tenant(id: 0) }
    }

    /// Nil when the database answered within the last interval; else what went wrong.
    func problem() async -> String? {
        let now = ContinuousClock.now
        if let last = last.withLock({ $0 }), last.at.duration(to: now) < interval { return last.problem }
        var problem: String?
        do {
            try await check()
        } catch {
            problem = "\(error)"
        }
        last.withLock { $0 = Last(at: now, problem: problem) }
        return problem
    }
}
