import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `/api/v1/shipments`: register, list, read, change, delete shipments and push checkpoints.
struct ShipmentsController {
    let database: any TenantStore & ShipmentStore & IdempotencyStore & IngestStore
    let baseURL: String
    /// Shopper strings, for the support reply.
    let catalog: Catalog
    let links: PublicLinks
    let now: @Sendable () -> Date

    static let maxBatch = 1_000

    func addRoutes(to api: RouterGroup<WaymarkRequestContext>) {
        api.on(.shipments, .post, mountedAt: .api, use: create)
        api.on(.shipments, .get, mountedAt: .api, use: list)
        api.on(.shipmentsBatch, .post, mountedAt: .api, use: batch)
        api.on(.shipment, .get, mountedAt: .api, use: show)
        api.on(.shipment, .patch, mountedAt: .api, use: update)
        api.on(.shipment, .delete, mountedAt: .api, use: delete)
        api.on(.shipmentEvents, .post, mountedAt: .api, use: addEvent)
        api.on(.shipmentSupportReply, .get, mountedAt: .api, use: supportReply)
    }

    var idempotency: Idempotency { Idempotency(database: database, now: now) }

    @Sendable func create(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let body = try await Self.collect(request, context)
        return try await idempotency.run(request, body: body, tenantID: tenant.id) {
            let input = try Self.decodeJSON(ShipmentInput.self, body)
            let draft = try APIProblem.validating { () throws(ValidationErrors) in try input.draft() }
            do {
                let shipment = try await database.createShipment(tenantID: tenant.id, draft, now: now())
                return try JSONReply(status: .created, resource(TrackedShipment(shipment: shipment, checkpoints: []), tenant),
                                     location: SiteRoute.shipment.path(shipment.id))
            } catch let error as StoreError where !error.isStorageFault {
                throw APIProblem(status: .conflict, type: "urn:waymark:problem:conflict", title: "Already exists", detail: error.description)
            }
        }
    }

    @Sendable func batch(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let body = try await Self.collect(request, context)
        return try await idempotency.run(request, body: body, tenantID: tenant.id) {
            let batch = try Self.decodeJSON(BatchRequest.self, body)
            guard (1...Self.maxBatch).contains(batch.shipments.count) else {
                throw APIProblem(status: .unprocessableContent, type: "urn:waymark:problem:validation", title: "Invalid request",
                                 detail: "'shipments' must hold 1 to \(Self.maxBatch) items (got \(batch.shipments.count)).",
                                 errors: [.init(field: "shipments", reason: "must hold 1 to \(Self.maxBatch) items")])
            }
            // Validate every item first, then save the valid ones in one transaction.
            var results = [BatchResult?](repeating: nil, count: batch.shipments.count)
            var drafts: [(index: Int, draft: NewShipment)] = []
            for (index, item) in batch.shipments.enumerated() {
                switch item.input.map({ input in Result(catching: { () throws(ValidationErrors) in try input.draft() }) }) {
                case .failure(let problem): results[index] = BatchResult(index: index, error: problem.body)
                case .success(.failure(let problems)): results[index] = BatchResult(index: index, error: APIProblem.validation(problems).body)
                case .success(.success(let draft)): drafts.append((index, draft))
                }
            }
            let saved = try await database.createShipments(tenantID: tenant.id, drafts.map(\.draft), now: now())
            for (slot, outcome) in zip(drafts, saved) {
                switch outcome {
                case .success(let shipment):
                    results[slot.index] = BatchResult(index: slot.index, shipment: resource(TrackedShipment(shipment: shipment, checkpoints: []), tenant))
                case .failure(let error):
                    results[slot.index] = BatchResult(index: slot.index, error: APIProblem(
                        status: .conflict, type: "urn:waymark:problem:conflict", title: "Already exists", detail: error.description).body)
                }
            }
            return try JSONReply(status: .ok, BatchResponse(results: results.compactMap { $0 }))
        }
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let parsed: ShipmentListQuery
        do { parsed = try ShipmentListQuery(query) } catch { throw APIProblem.badQuery(error) }
        let (page, next) = try await database.listShipments(tenantID: tenant.id, filter: parsed.filter, limit: parsed.limit, after: parsed.cursor)
        return try JSONReply(status: .ok, ShipmentList(data: page.map { resource($0, tenant) }, next_cursor: next?.token)).response
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        return try JSONReply(status: .ok, resource(try await tracked(context, tenant), tenant)).response
    }

    /// The ready-to-paste reply an agent's help desk shows: `?locale=` picks one of the shopper
    /// pages' languages; by default the shopper's own.
    @Sendable func supportReply(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let shipment = try await tracked(context, tenant).shipment
        let requested = request.uri.queryParameters["locale"].map(String.init)
        if let requested, ShopperLanguage.match(requested) == nil {
            throw APIProblem(
                status: .unprocessableContent, type: "urn:waymark:problem:validation", title: "Invalid request",
                detail: "'locale' must be one of \(ShopperLanguage.supported.joined(separator: ", ")) (got '\(requested)').",
                errors: [.init(field: "locale", reason: "must be one of \(ShopperLanguage.supported.joined(separator: ", "))")])
        }
        let language = SupportReply.language(requested: requested, shipment: shipment, tenant: tenant)
        return try JSONReply(status: .ok, SupportReply.make(tenant: tenant, shipment: shipment, language: language, catalog: catalog, links: links)).response
    }

    @Sendable func update(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let current = try await tracked(context, tenant)
        let patch = try Self.decodeJSON(ShipmentPatch.self, try await Self.collect(request, context))
        let details = try APIProblem.validating { () throws(ValidationErrors) in try patch.applied(to: current.shipment) }
        guard let updated = try await database.updateShipmentDetails(tenantID: tenant.id, id: current.shipment.id, details, now: now()) else {
            throw APIProblem.notFound("shipment")
        }
        return try JSONReply(status: .ok, resource(updated, tenant)).response
    }

    @Sendable func delete(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenantID = try context.requireTenantID()
        guard try await database.deleteShipment(tenantID: tenantID, id: context.parameters.get("id") ?? "") else {
            throw APIProblem.notFound("shipment")
        }
        return Response(status: .noContent)
    }

    @Sendable func addEvent(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let shipmentID = try await tracked(context, tenant).shipment.id
        let body = try await Self.collect(request, context)
        return try await idempotency.run(request, body: body, tenantID: tenant.id) {
            let input = try Self.decodeJSON(CheckpointInput.self, body)
            let event = try APIProblem.validating { () throws(ValidationErrors) in try input.event(now: now()) }
            let outcome = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipmentID, events: [event], now: now())
            guard let tracked = try await database.shipment(tenantID: tenant.id, id: shipmentID) else { throw APIProblem.notFound("shipment") }
            // 201 when the checkpoint is new, 200 when it was already there (same time, status, message).
            return try JSONReply(status: outcome.inserted > 0 ? .created : .ok, resource(tracked, tenant))
        }
    }

    // MARK: - Helpers

    private func tenant(_ context: WaymarkRequestContext) async throws -> Tenant {
        guard let tenant = try await database.tenant(id: try context.requireTenantID()) else { throw APIProblem.notFound("tenant") }
        return tenant
    }

    private func tracked(_ context: WaymarkRequestContext, _ tenant: Tenant) async throws -> TrackedShipment {
        guard let tracked = try await database.shipment(tenantID: tenant.id, id: context.parameters.get("id") ?? "") else {
            throw APIProblem.notFound("shipment")
        }
        return tracked
    }

    private func resource(_ tracked: TrackedShipment, _ tenant: Tenant) -> ShipmentResource {
        ShipmentResource(tracked, baseURL: baseURL, tenantSlug: tenant.slug)
    }

    static func collect(_ request: Request, _ context: WaymarkRequestContext) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIProblem(status: .contentTooLarge, detail: "The body is larger than \(context.maxUploadSize) bytes.")
        }
    }

    /// Decodes a JSON body, turning every decoding failure into a 400 that says where and why.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
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

struct ShipmentList: Encodable {
    let data: [ShipmentResource]
    let next_cursor: String?

    // Encode `next_cursor: null` explicitly: clients test for null to stop paging.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(next_cursor, forKey: .next_cursor)
    }

    enum CodingKeys: String, CodingKey { case data, next_cursor }
}

struct BatchResponse: Encodable {
    let results: [BatchResult]
}

/// One item of a batch answer: the shipment, or the problem with that item.
struct BatchResult: Encodable {
    let index: Int
    var shipment: ShipmentResource?
    var error: APIProblem.Body?

    init(index: Int, shipment: ShipmentResource) {
        self.index = index
        self.shipment = shipment
    }

    init(index: Int, error: APIProblem.Body) {
        self.index = index
        self.error = error
    }
}
