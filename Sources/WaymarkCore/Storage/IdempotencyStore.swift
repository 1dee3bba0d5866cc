import Foundation

/// A response remembered under a client's `Idempotency-Key`.
public struct StoredResponse: Sendable, Equatable {
    public var requestSHA256: String
    public var status: Int
    public var body: [UInt8]

    public init(requestSHA256: String, status: Int, body: [UInt8]) {
        self.requestSHA256 = requestSHA256
        self.status = status
        self.body = body
    }
}

/// The API's first successful answer to each `Idempotency-Key`, kept for a day.
public protocol IdempotencyStore: Sendable {
    func storedResponse(tenantID: Int64, key: String) async throws -> StoredResponse?
    func storeResponse(tenantID: Int64, key: String, _ response: StoredResponse, now: Date) async throws
}
