import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import WaymarkCore

/// Operator endpoints.
struct OpsController {
    let health: HealthCheck
    /// `/healthz`'s headers, the security headers made in (see `SecurityHeaders.fields`).
    let headers: HTTPFields
    /// The usual answer's body, made once.
    static let ok = ByteBuffer(string: "ok\n")

    init(health: HealthCheck, securityHeaders: HTTPFields = [:]) {
        self.health = health
        headers = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"] + securityHeaders
    }

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.healthz, .get) { _, _ -> Response in
            guard let problem = await health.problem() else { return Response(status: .ok, headers: headers, body: .init(byteBuffer: Self.ok)) }
            return Response(status: .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "database unavailable: \(problem)\n")))
        }
    }
}

/// Liveness with a real read: a server that cannot use its database is not alive. The check
/// runs at most once per `interval`; requests in between get its result, so a monitor (or a
/// flood) polling `/healthz` costs the database one query a second.
final class HealthCheck: Sendable {
    private struct Last {
        var at: ContinuousClock.Instant
        var problem: String?
    }

    private let check: @Sendable () async throws -> Void
    private let interval: Duration
    private let logger: Logger?
    private let last = Mutex<Last?>(nil)

    init(interval: Duration = .seconds(1), logger: Logger? = nil, check: @escaping @Sendable () async throws -> Void) {
        self.check = check
        self.interval = interval
        self.logger = logger
    }

    /// The storage's own check: a real query, and (SQLite) the file still there and writable.
    convenience init(database: any MaintenanceStore, logger: Logger) {
        self.init(logger: logger) { try await database.checkStorage() }
    }

    /// Nil when the database answered within the last interval; else what went wrong.
    func problem() async -> String? {
        let now = ContinuousClock.now
        if let last = last.withLock({ $0 }), last.at.duration(to: now) < interval { return last.problem }
        var problem: String?
        do {
            try await check()
        } catch StoreError.storageUnavailable(let reason) {
            problem = reason
        } catch {
            problem = "\(error)"
        }
        let before = last.withLock { last in
            defer { last = Last(at: now, problem: problem) }
            return last?.problem
        }
        // Once per change, not once a second: the log says when it broke and when it recovered.
        if problem != before {
            if let problem { logger?.error("database unavailable", metadata: ["reason": .string(problem)]) }
            else if before != nil { logger?.notice("database available again") }
        }
        return problem
    }
}
