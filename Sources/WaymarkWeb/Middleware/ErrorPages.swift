import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WaymarkCore

/// Turns any error into a proper answer (`EdgeMiddleware` asks): problem+json under `/api/` and
/// `/hooks/`, a localized HTML page elsewhere. 5xx are logged here with their cause (Hummingbird
/// logs them only at debug), and the client sees no internals.
struct ErrorPages: Sendable {
    let renderer: PageRenderer
    let catalog: Catalog

    /// Seconds a client is asked to wait when the disk is full or the database cannot be used.
    static let retryAfterStorageFault = 30

    func response(for error: any Error, request: Request, context: WaymarkRequestContext) -> Response {
        switch error {
        case let problem as APIProblem:
            return problem.response()
        case let error as StoreError where error.isStorageFault:
            // Nothing was written; the client (a provider, an API caller, a person) may try again.
            context.logger.error("write refused: \(error)", metadata: ["route": .string(context.endpointPath ?? "unmatched")])
            var response: Response
            if [.api, .hooks].contains(SiteRoute.area(ofPath: request.uri.path)) {
                // An unusable file's reason names paths: it is for the log, not for the client.
                let (type, title, detail) = error == .storageFull
                    ? ("storage-full", "Storage full", error.description)
                    : ("storage-unavailable", "Storage unavailable", "the database cannot be used right now, so nothing was saved; try again later")
                response = APIProblem(status: .serviceUnavailable, type: "urn:waymark:problem:\(type)", title: title, detail: detail).response()
            } else {
                response = errorPage(status: .serviceUnavailable, request: request, logger: context.logger)
            }
            response.headers[.retryAfter] = String(Self.retryAfterStorageFault)
            return response
        default:
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            if status.code >= 500 {
                context.logger.error("request failed", metadata: ["route": .string(context.endpointPath ?? "unmatched"), "error": .string("\(error)")])
            }
            // Machines read these answers: the API's clients and the providers posting to /hooks.
            let area = SiteRoute.area(ofPath: request.uri.path)
            if area == .api || area == .hooks {
                if status == .notFound, error is HTTPError, let allow = AllowedMethods.allowHeader(for: request.uri.path) {
                    var problem = APIProblem(status: .methodNotAllowed, detail: "\(request.method.rawValue) is not supported here; use \(allow).")
                    problem.headers[.allow] = allow
                    return problem.response()
                }
                let detail = status.code >= 500 ? nil : (error as? HTTPError)?.body
                return APIProblem(status: status, detail: detail ?? status.reasonPhrase).response()
            }
            return errorPage(status: status, request: request, logger: context.logger)
        }
    }

    /// The localized error page; if even that cannot be rendered, a plain-text answer with the
    /// same status (never an empty 200), and the reason in the log.
    func errorPage(status: HTTPResponse.Status, request: Request, logger: Logger) -> Response {
        let language = ShopperLanguage.negotiate(
            query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage], tenantDefault: nil)
        let t = catalog.table(language)
        let notFound = status == .notFound
        let page = ErrorPageView(
            layout: .plain(title: t[notFound ? "not_found_title" : "error_title"] ?? "", language: language),
            t: t,
            heading: t[notFound ? "not_found_title" : "error_title"] ?? "",
            body: t[notFound ? "not_found_body" : "error_body"] ?? "",
            status: status.code)
        do {
            return try renderer.response("errors/error", page, status: status, cacheControl: "no-store")
        } catch {
            logger.error("error page failed", metadata: ["status": .stringConvertible(status.code), "error": .string("\(error)")])
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: "\(status.code) \(status.reasonPhrase)\n")))
        }
    }
}

struct ErrorPageView: Encodable {
    let layout: LayoutView
    let t: [String: String]
    let heading: String
    let body: String
    let status: Int
}
