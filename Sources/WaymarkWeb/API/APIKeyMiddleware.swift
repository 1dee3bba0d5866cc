import HTTPTypes
import Hummingbird
import WaymarkCore

/// `Authorization: Bearer <key>` on every `/api/v1` route that needs it; the key decides the
/// tenant, so no request can name another tenant's data.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = WaymarkRequestContext
    let database: any TenantStore
    let limiter: RateLimiter

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
        var context = context
        context.apiIdentity = identity
        return try await next(request, context)
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
