import Hummingbird

/// What every request passes through on its way in and out, in front of all routes: an error
/// becomes a page or a problem (`ErrorPages`), every answer gets the security headers
/// (`SecurityHeaders`), and one access line is written (`AccessLog`), in that order. One
/// middleware rather than three: each is an async frame and a copy of the context for every
/// request, which a cached page's profile showed.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = WaymarkRequestContext
    let errors: ErrorPages
    let servesTLS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errors.response(for: error, request: request, context: context)
        }
        SecurityHeaders.apply(to: &response.headers, servesTLS: servesTLS)
        AccessLog.write(request, context, status: response.status.code, since: start)
        return response
    }
}
