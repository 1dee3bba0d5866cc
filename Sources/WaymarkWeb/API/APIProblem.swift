import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// An RFC 9457 problem document: what went wrong and, for invalid input, which fields and why.
public struct APIProblem: Error, Sendable {
    public struct FieldError: Encodable, Sendable, Equatable {
        public let field: String
        public let reason: String
    }

    public var status: HTTPResponse.Status
    public var type: String = "about:blank"
    public var title: String?
    public var detail: String
    public var errors: [FieldError] = []
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, type: String = "about:blank", title: String? = nil, detail: String, errors: [FieldError] = []) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    static func validation(_ errors: ValidationErrors) -> APIProblem {
        APIProblem(
            status: .unprocessableContent, type: "urn:waymark:problem:validation", title: "Invalid request",
            detail: "Some fields are invalid: " + errors.problems.map { $0.field ?? "body" }.joined(separator: ", ") + ".",
            errors: errors.problems.map { FieldError(field: $0.field ?? "body", reason: $0.reason) })
    }

    /// Runs a validation, turning its problems into a 422.
    static func validating<T>(_ check: () throws(ValidationErrors) -> T) throws(APIProblem) -> T {
        do { return try check() } catch { throw validation(error) }
    }

    static func notFound(_ what: String) -> APIProblem {
        APIProblem(status: .notFound, type: "urn:waymark:problem:not-found", title: "Not found", detail: "No \(what) with that id.")
    }

    /// The document itself, also used for the items of a batch answer.
    struct Body: Encodable, Sendable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let errors: [FieldError]?
    }

    var body: Body {
        Body(type: type, title: title ?? status.reasonPhrase, status: status.code, detail: detail, errors: errors.isEmpty ? nil : errors)
    }

    /// A query parameter that is wrong: 400, naming the parameter.
    static func badQuery(_ errors: ValidationErrors) -> APIProblem {
        APIProblem(
            status: .badRequest, type: "urn:waymark:problem:bad-query", title: "Invalid query",
            detail: "Some query parameters are invalid: " + errors.problems.map { $0.field ?? "query" }.joined(separator: ", ") + ".",
            errors: errors.problems.map { FieldError(field: $0.field ?? "query", reason: $0.reason) })
    }

    func response() -> Response {
        let data = (try? JSONEncoder.api.encode(body)) ?? Data()
        var headers = headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONEncoder {
    /// The API's JSON: sorted keys (stable output), ISO dates written by the resources themselves.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
