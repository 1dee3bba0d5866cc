import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkStore

/// `/api/v1/shipments`: register and read shipments.
struct ShipmentsController {
    let database: AppDatabase
    let baseURL: String

    func addRoutes(to group: RouterGroup<WaymarkRequestContext>) {
        group.post(use: create)
        group.get("{id}", use: show)
    }

    @Sendable func create(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let input = try await Self.decodeJSON(ShipmentInput.self, request, context)
        let draft: NewShipment
        do { draft = try input.draft() } catch { throw APIProblem.validation(error) }
        let shipment: Shipment
        do {
            shipment = try await database.createShipment(tenantID: tenantID, draft)
        } catch let error as StoreError {
            throw APIProblem(status: .conflict, type: "urn:waymark:problem:conflict", title: "Already exists", detail: error.description)
        }
        let tracked = TrackedShipment(shipment: shipment, checkpoints: [])
        var response = try await json(tracked, tenantID: tenantID, status: .created)
        response.headers[.location] = "/api/v1/shipments/\(shipment.id)"
        return response
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        let id = context.parameters.get("id") ?? ""
        guard let tracked = try await database.shipment(tenantID: tenantID, id: id) else { throw APIProblem.notFound("shipment") }
        return try await json(tracked, tenantID: tenantID, status: .ok)
    }

    private func json(_ tracked: TrackedShipment, tenantID: Int64, status: HTTPResponse.Status) async throws -> Response {
        guard let tenant = try await database.tenant(id: tenantID) else { throw APIProblem.notFound("tenant") }
        let data = try JSONEncoder.api.encode(ShipmentResource(tracked, baseURL: baseURL, tenantSlug: tenant.slug))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a JSON body, turning every decoding failure into a 400 that says where and why.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ request: Request, _ context: WaymarkRequestContext) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIProblem(status: .contentTooLarge, detail: "The body is larger than \(context.maxUploadSize) bytes.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw APIProblem(status: .badRequest, type: "urn:waymark:problem:malformed-json", title: "Malformed JSON", detail: describe(error))
        } catch {
            throw APIProblem(status: .badRequest, type: "urn:waymark:problem:malformed-json", title: "Malformed JSON", detail: "The body is not valid JSON.")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the body" : "'\(path)'"
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) has the wrong type; expected \(type)."
        case .valueNotFound(let type, let context): return "\(path(context)) is null; expected \(type)."
        case .keyNotFound(let key, let context): return "\(path(context)) is missing '\(key.stringValue)'."
        case .dataCorrupted(let context): return "The body is not valid JSON at \(path(context))."
        @unknown default: return "The body could not be decoded."
        }
    }
}

