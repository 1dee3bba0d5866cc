import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `POST /api/v1/shipments/import`: a CSV file as the body (`text/csv`), imported exactly as
/// `waymark import` does it — streamed, saved in batches, never overwriting — answered with the
/// summary and the per-row error report.
struct ShipmentImportController {
    let database: any ShipmentStore

    /// Larger files belong on the command line, which has no limit.
    static let maxBytes = 64 << 20

    func addRoutes(to api: RouterGroup<WaymarkRequestContext>) {
        api.on(.shipmentsImport, .post, mountedAt: .api, use: importCSV)
    }

    @Sendable func importCSV(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "text/csv" else {
            throw APIProblem(
                status: .unsupportedMediaType, type: "urn:waymark:problem:unsupported-media-type", title: "Send CSV",
                detail: "Send the file as the body with 'Content-Type: text/csv'.")
        }
        var importer = ShipmentImport(database: database, tenantID: tenantID)
        var received = 0
        do {
            for try await chunk in request.body {
                received += chunk.readableBytes
                guard received <= Self.maxBytes else {
                    throw APIProblem(
                        status: .contentTooLarge, detail: "The file is larger than \(Self.maxBytes >> 20) MiB; use `waymark import` for it.")
                }
                try await importer.feed(chunk.readableBytesView)
            }
            let summary = try await importer.finish()
            return try JSONReply(status: .ok, summary).response
        } catch let stopped as ShipmentImport.Stopped {
            throw APIProblem(status: .unprocessableContent, type: "urn:waymark:problem:csv", title: "The file cannot be imported", detail: stopped.description)
        }
    }
}
