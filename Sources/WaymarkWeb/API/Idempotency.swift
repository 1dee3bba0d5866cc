import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// A JSON answer before it becomes a `Response`, so it can be remembered under an
/// `Idempotency-Key` and replayed byte for byte.
struct JSONReply: Sendable {
    var status: HTTPResponse.Status
    var body: [UInt8]
    var location: String?

    init(status: HTTPResponse.Status, _ value: some Encodable, location: String? = nil) throws {
        self.status = status
        body = [UInt8](try JSONEncoder.api.encode(value))
        self.location = location
    }

    init(status: HTTPResponse.Status, body: [UInt8], location: String?) {
        self.status = status
        self.body = body
        self.location = location
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// `Idempotency-Key` on POSTs: the first successful answer for a key is stored; a retry with the
/// same key and body gets that answer again (marked `Idempotent-Replayed: true`) without doing
/// the work twice; the same key with a different body is a 422.
struct Idempotency {
    let database: any IdempotencyStore
    let now: @Sendable () -> Date

    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func run(
        _ request: Request, body: ByteBuffer, tenantID: Int64, _ work: () async throws -> JSONReply
    ) async throws -> Response {
        guard let key = request.headers[Self.header] else { return try await work().response }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw APIProblem(status: .badRequest, type: "urn:waymark:problem:idempotency-key", title: "Bad Idempotency-Key",
                             detail: "Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.")
        }
        var hasher = SHA256()
        hasher.update(data: Array("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body.readableBytesView)
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()

        if let stored = try await database.storedResponse(tenantID: tenantID, key: key) {
            guard stored.requestSHA256 == digest else {
                throw APIProblem(status: .unprocessableContent, type: "urn:waymark:problem:idempotency-key-reused", title: "Idempotency-Key reused",
                                 detail: "This Idempotency-Key was used with a different request. Use a new key for a new request.")
            }
            var response = JSONReply(status: HTTPResponse.Status(code: stored.status), body: stored.body, location: nil).response
            response.headers[Self.replayedHeader] = "true"
            return response
        }
        let reply = try await work()
        if reply.status.kind == .successful {
            try await database.storeResponse(tenantID: tenantID, key: key, StoredResponse(requestSHA256: digest, status: reply.status.code, body: reply.body), now: now())
        }
        return reply.response
    }
}
