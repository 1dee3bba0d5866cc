import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `/api/v1/carriers`: the carriers Waymark knows, and which of them a tracking number may belong
/// to. Answers need no database; the API key is still required, like everywhere under `/api/v1`.
struct CarriersController {
    func addRoutes(to api: RouterGroup<WaymarkRequestContext>) {
        api.on(.carriers, .get, mountedAt: .api, use: list)
        api.on(.carrierDetection, .get, mountedAt: .api, use: detect)
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try JSONReply(status: .ok, CarrierRegistry.all.map(CarrierResource.init)).response
    }

    @Sendable func detect(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        // A query string may encode the spaces in "1Z 999 AA1 ..." as "+"; no tracking number has a plus.
        let input = request.uri.queryParameters["number"].map { String($0).replacing("+", with: " ") } ?? ""
        // The same rule as the OpenAPI document: 1 to 64 characters, at least one not a space.
        guard input.contains(where: { $0 != " " }), input.unicodeScalars.count <= CarrierDetector.maximumLength else {
            let reason = input.unicodeScalars.count > CarrierDetector.maximumLength
                ? "must be at most \(CarrierDetector.maximumLength) characters" : "is required"
            throw APIProblem(
                status: .badRequest, type: "urn:waymark:problem:invalid-query", title: "Invalid query",
                detail: "Pass the tracking number as ?number=..., 1 to \(CarrierDetector.maximumLength) characters.",
                errors: [.init(field: "number", reason: reason)])
        }
        return try JSONReply(status: .ok, CarrierDetectionResource(detecting: input)).response
    }
}
