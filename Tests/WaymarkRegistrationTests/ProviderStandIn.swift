import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A stand-in for the providers' APIs on the loopback interface: a real HTTP server that records
/// every request and answers as the test says, so the clients are tested over real sockets.
final class ProviderStandIn: Sendable {
    /// One request as the server received it.
    struct Received: Sendable {
        var method: String
        var path: String
        /// Header names in lower case.
        var headers: [String: String]
        var body: Data

        /// The body parsed as JSON, for checks on its shape.
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
    }

    /// What the server answers.
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .created
        var headers: [String: String] = [:]
        var body: String = "{}"
    }

    /// Picks the answer to a request; `index` counts the requests received so far (0 first).
    typealias Responder = @Sendable (_ request: Received, _ index: Int) -> Answer

    private struct State {
        var received: [Received] = []
        var responder: Responder
    }

    private let state: Mutex<State>

    init(_ responder: @escaping Responder = { _, _ in Answer() }) {
        state = Mutex(State(responder: responder))
    }

    var received: [Received] { state.withLock { $0.received } }

    func answer(_ responder: @escaping Responder) {
        state.withLock { $0.responder = responder }
    }

    /// Runs `test` with the server's base URL (`http://localhost:PORT`), then stops the server.
    func serve<T: Sendable>(_ test: @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        let router = Router()
        router.on("**", method: .post) { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Received(method: request.method.rawValue, path: request.uri.path, headers: headers, body: Data(body.readableBytesView))
            let answer = self.state.withLock { state in
                state.received.append(received)
                return state.responder(received, state.received.count - 1)
            }
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in answer.headers {
                if let name = HTTPField.Name(name) { fields[name] = value }
            }
            return Response(status: answer.status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await test("http://localhost:\(port)")
        }
    }
}

/// Any JSON value, compared structurally: what a provider would parse.
enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    var array: [JSONValue]? {
        if case .array(let array) = self { array } else { nil }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(uniqueKeysWithValues: elements)) }
}
