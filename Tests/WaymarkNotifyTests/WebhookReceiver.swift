import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A merchant's webhook receiver: a real HTTP server on 127.0.0.1 (random port) that records
/// every request and answers as the test scripts it. `hold` makes it hang until `release()`.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        /// Header names lower-cased; `host` is the request's authority.
        var headers: [String: String]
        var body: [UInt8]
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body = ""
    }

    private struct State {
        var received: [Received] = []
        var held: [CheckedContinuation<Void, Never>] = []
        var released = false
    }

    private let state = Mutex(State())
    private let reply: @Sendable (_ request: Received, _ number: Int) -> Reply
    private let hold: Bool

    /// `reply` gets each request and its number (1 for the first).
    init(hold: Bool = false, reply: @escaping @Sendable (_ request: Received, _ number: Int) -> Reply = { _, _ in Reply(status: 204) }) {
        self.hold = hold
        self.reply = reply
    }

    var received: [Received] { state.withLock { $0.received } }

    /// Lets every held request (and every later one) answer.
    func release() {
        let held = state.withLock { state in
            state.released = true
            defer { state.held = [] }
            return state.held
        }
        for continuation in held { continuation.resume() }
    }

    /// Runs `body` with the receiver listening; its port is passed in. Held requests are
    /// released before the server stops, so it can drain.
    func serve<T: Sendable>(_ body: @Sendable (_ port: Int) async throws -> T) async throws -> T {
        let router = Router()
        router.on("**", method: .post) { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName, default: ""] += field.value }
            // HTTP/1's Host header arrives as the request's authority.
            headers["host"] = request.head.authority
            let received = Received(path: request.uri.path, headers: headers, body: Array(bytes.readableBytesView))
            let number = self.state.withLock { state in
                state.received.append(received)
                return state.received.count
            }
            if self.hold { await self.waitForRelease() }
            let answer = self.reply(received, number)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let name = HTTPField.Name(name) { fields[name] = value }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            defer { self.release() }
            return try await body(port)
        }
    }

    private func waitForRelease() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.released { return true }
                state.held.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// Waits for `condition` by polling, at most `attempts` × 20 ms: a bound on a hang, never a
/// measure of speed.
func eventually(_ attempts: Int = 500, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
