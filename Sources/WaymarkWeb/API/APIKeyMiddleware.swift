import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `Authorization: Bearer <key>` on every `/api/v1` route that needs it; the key decides the
/// tenant, so no request can name another tenant's data.
///
/// A read-only key may only read (GET, HEAD); every change made with a key is written to the
/// tenant's audit log under the key's name, and the key's last use is counted (`UsageRecorder`).
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = WaymarkRequestContext
    let database: any TenantStore & AuditStore
    let limiter: RateLimiter
    let usage: UsageRecorder
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Self.unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
        }
        let key = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let identity = try await database.authenticate(apiKey: key) else {
            throw Self.unauthorized("The API key is unknown or revoked.")
        }
        if let wait = limiter.take("key:\(identity.keyID)") {
            var problem = APIProblem(
                status: .tooManyRequests, type: "urn:waymark:problem:rate-limited", title: "Too many requests",
                detail: "This API key sent too many requests. Retry after \(wait) seconds.")
            problem.headers[.retryAfter] = String(wait)
            throw problem
        }
        let reads = request.method == .get || request.method == .head
        if identity.scope == .readOnly, !reads {
            throw APIProblem(
                status: .forbidden, type: "urn:waymark:problem:forbidden", title: "Forbidden",
                detail: "This API key is read-only; use a read-write key to make changes.")
        }
        usage.keyUsed(identity.keyID, at: now())
        var context = context
        context.apiIdentity = identity
        let response = try await next(request, context)
        if !reads, response.status.code < 400 {
            try await database.recordAudit(
                AuditEvent(tenantID: identity.tenantID, actor: identity.label, action: "\(request.method.rawValue) \(request.uri.path)",
                           address: context.clientKey),
                now: now())
        }
        return response
    }

    static func unauthorized(_ detail: String) -> APIProblem {
        var problem = APIProblem(status: .unauthorized, type: "urn:waymark:problem:unauthorized", title: "Unauthorized", detail: detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"waymark\""
        return problem
    }
}

extension WaymarkRequestContext {
    /// The authenticated tenant; only reachable behind `APIKeyMiddleware`.
    func requireTenantID() throws -> Int64 {
        guard let identity = apiIdentity else { throw APIKeyMiddleware.unauthorized("This route needs an API key.") }
        return identity.tenantID
    }
}
