import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// A merchant's https receiver: a real TLS server on loopback (one random port, on one or more
/// loopback addresses) that records every request and every accepted TCP connection, so a test
/// can tell whether deliveries shared a connection and which address they reached. Answers 204.
final class TLSWebhookReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
        /// Which accepted connection carried it (1 for the first).
        var connection: Int
    }

    struct Accepted: Sendable {
        /// The local address the connection came in on: which listener the client chose.
        var address: String
    }

    private struct State {
        var received: [Received] = []
        var accepted: [Accepted] = []
        var closed = 0
        var channels: [any Channel] = []
    }

    private let state = Mutex(State())
    private let identity: TestCertificateAuthority.Identity

    init(identity: TestCertificateAuthority.Identity) {
        self.identity = identity
    }

    var received: [Received] { state.withLock { $0.received } }
    var accepted: [Accepted] { state.withLock { $0.accepted } }
    /// Accepted connections that have been closed since (by either side).
    var closedConnections: Int { state.withLock { $0.closed } }

    /// Runs `body` with the receiver listening on the same port at each of `addresses`; the
    /// port is passed in. Every connection is closed before it returns.
    func serve<T: Sendable>(on addresses: [String] = ["127.0.0.1"], _ body: @Sendable (_ port: Int) async throws -> T) async throws -> T {
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key)))
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let number = self.accept(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(receiver: self, connection: number))
                }
            }
        var listeners: [any Channel] = []
        do {
            var port = 0
            for address in addresses {
                let listener = try await bootstrap.bind(host: address, port: port).get()
                listeners.append(listener)
                port = try #require(listener.localAddress?.port)
            }
            let result = try await body(port)
            await close(listeners)
            return result
        } catch {
            await close(listeners)
            throw error
        }
    }

    private func close(_ listeners: [any Channel]) async {
        let open = state.withLock { state in
            defer { state.channels = [] }
            return state.channels
        }
        for channel in listeners + open { try? await channel.close() }
    }

    private func accept(_ channel: any Channel) -> Int {
        channel.closeFuture.whenComplete { _ in self.state.withLock { $0.closed += 1 } }
        return state.withLock { state in
            state.accepted.append(Accepted(address: channel.localAddress?.ipAddress ?? "?"))
            state.channels.append(channel)
            return state.accepted.count
        }
    }

    fileprivate func record(_ request: Received) {
        state.withLock { $0.received.append(request) }
    }
}

/// Collects one request at a time from the decoded HTTP/1 stream and answers 204, keeping the
/// connection open for the next.
private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: TLSWebhookReceiver
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(receiver: TLSWebhookReceiver, connection: Int) {
        self.receiver = receiver
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var chunk):
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased(), default: ""] += value }
            receiver.record(TLSWebhookReceiver.Received(path: head.uri, headers: headers, body: body, connection: connection))
            let answer = HTTPResponseHead(version: head.version, status: .noContent)
            context.write(wrapOutboundOut(.head(answer)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            self.head = nil
        }
    }
}
