import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing
import WaymarkCore
@testable import WaymarkNotify
import WaymarkStore
import WaymarkSigning

/// https merchant webhooks against a real TLS receiver on loopback whose certificate a test CA
/// issued: kept-alive connections, the host name check, and falling back across the vetted
/// addresses of a name.
@Suite("Webhook channel over https")
struct HTTPSWebhookTests {
    static let host = "hooks.merchant.example"

    @Test("Five https deliveries to one endpoint share one TLS connection, and each signature verifies")
    func keepAlive() async throws {
        let authority = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try authority.identity(for: Self.host))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("keepalive")
        try await receiver.serve { port in
            let endpoint = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hooks/waymark")
            let channel = try scenario.channel(
                resolver: FakeResolver(answers: [Self.host: ["127.0.0.1"]]), tlsConfiguration: try authority.clientConfiguration)
            let dispatcher = scenario.dispatcher(channel: channel)

            var deliveries: [Delivery] = []
            for number in 1...5 {
                deliveries.append(try await scenario.shipmentDelivery(tenant, number: number))
                #expect(try await dispatcher.dispatchDue() == 1)
            }
            await channel.shutdown()

            #expect(receiver.accepted.count == 1)
            #expect(receiver.received.count == 5)
            let timestamp = Int64(scenario.clock.now.timeIntervalSince1970)
            for (delivery, request) in zip(deliveries, receiver.received) {
                #expect(request.connection == 1)
                #expect(request.path == "/hooks/waymark")
                #expect(request.headers["host"] == "\(Self.host):\(port)")
                #expect(request.headers["webhook-id"] == delivery.id)
                #expect(request.body == Array(delivery.payload.utf8))
                let signature = try #require(request.headers["webhook-signature"])
                try StandardWebhooks(secret: endpoint.secret).verifySignature(signature, id: delivery.id, timestamp: timestamp, body: request.body)
                #expect(try await scenario.delivery(delivery).state == .delivered)
            }
        }
    }

    @Test("A certificate for another name fails the send with a message naming the host; nothing is posted")
    func wrongHostName() async throws {
        let authority = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try authority.identity(for: "other.example"))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("wrongname")
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let channel = try scenario.channel(
                resolver: FakeResolver(answers: [Self.host: ["127.0.0.1"]]), tlsConfiguration: try authority.clientConfiguration)
            try await scenario.dispatcher(channel: channel).dispatchDue()
            await channel.shutdown()

            #expect(receiver.received.isEmpty)
            let after = try await scenario.delivery(delivery)
            #expect(after.state == .pending)
            let attempt = try #require(try await scenario.attempts(delivery).first)
            #expect(attempt.outcome == .retry)
            #expect(attempt.error == """
                the TLS handshake with \(Self.host) failed (its certificate is not for this host name); \
                the endpoint must present a valid certificate for \(Self.host)
                """)
        }
    }

    @Test("A certificate from an authority the channel does not trust fails the send; nothing is posted")
    func untrustedAuthority() async throws {
        let trusted = try TestCertificateAuthority()
        let stranger = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try stranger.identity(for: Self.host))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("untrusted")
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let channel = try scenario.channel(
                resolver: FakeResolver(answers: [Self.host: ["127.0.0.1"]]), tlsConfiguration: try trusted.clientConfiguration)
            try await scenario.dispatcher(channel: channel).dispatchDue()
            await channel.shutdown()

            #expect(receiver.received.isEmpty)
            let attempt = try #require(try await scenario.attempts(delivery).first)
            #expect(attempt.outcome == .retry)
            #expect(attempt.error?.hasPrefix("the TLS handshake with \(Self.host) failed") == true)
        }
    }

    @Test("A name resolving to a refusing address and the live one is delivered through the live one", arguments: ["https", "http"])
    func fallsBackToNextAddress(scheme: String) async throws {
        let authority = try TestCertificateAuthority()
        let tls = TLSWebhookReceiver(identity: try authority.identity(for: Self.host))
        let plain = WebhookReceiver()
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("fallback")
        // Both receivers listen on 127.0.0.1 only: nothing answers on 127.0.0.2, which refuses.
        let deliver: @Sendable (Int) async throws -> Delivery = { port in
            _ = try await scenario.endpoint(tenant, url: "\(scheme)://\(Self.host):\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let channel = try scenario.channel(
                policy: "127.0.0.0/8", resolver: FakeResolver(answers: [Self.host: ["127.0.0.2", "127.0.0.1"]]),
                tlsConfiguration: try authority.clientConfiguration)
            try await scenario.dispatcher(channel: channel).dispatchDue()
            await channel.shutdown()
            return delivery
        }
        let delivery = scheme == "https" ? try await tls.serve(deliver) : try await plain.serve(deliver)

        #expect(try await scenario.delivery(delivery).state == .delivered)
        #expect(try await scenario.attempts(delivery).map(\.outcome) == [.delivered])
        #expect(tls.received.count + plain.received.count == 1)
    }

    @Test("When no vetted address takes the connection, the attempt fails, is retried, and names each address")
    func noAddressConnects() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("unreachable")
        // A port that was just free; nothing listens on it on 127.0.0.2 or 127.0.0.3.
        let port = try await Self.freePort()
        _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
        let delivery = try await scenario.shipmentDelivery(tenant)
        let channel = try scenario.channel(policy: "127.0.0.0/8", resolver: FakeResolver(answers: [Self.host: ["127.0.0.2", "127.0.0.3"]]))
        try await scenario.dispatcher(channel: channel).dispatchDue()
        await channel.shutdown()

        let attempt = try #require(try await scenario.attempts(delivery).first)
        #expect(attempt.outcome == .retry)
        #expect(attempt.error == """
            could not connect to \(Self.host) on port \(port) \
            (127.0.0.2: connection refused; 127.0.0.3: connection refused)
            """)
    }

    @Test("A name with one refused address among its answers is not sent at all, not even to the allowed one")
    func refusedAddressNeverTried() async throws {
        let authority = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try authority.identity(for: Self.host))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("mixed")
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let channel = try scenario.channel(
                policy: "127.0.0.0/8", resolver: FakeResolver(answers: [Self.host: ["127.0.0.1", "169.254.169.254"]]),
                tlsConfiguration: try authority.clientConfiguration)
            try await scenario.dispatcher(channel: channel).dispatchDue()
            await channel.shutdown()

            #expect(receiver.accepted.isEmpty)
            let after = try await scenario.delivery(delivery)
            #expect(after.state == .failed)
            #expect(after.lastError?.hasPrefix("refused to send to this URL") == true)
        }
    }

    @Test("When the name's vetted address changes, the next delivery connects to the new address, not over the old pin")
    func addressChangeGetsNewClient() async throws {
        let authority = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try authority.identity(for: Self.host))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("moving")
        let resolver = SwitchingResolver(address: "127.0.0.1")
        try await receiver.serve(on: ["127.0.0.1", "127.0.0.2"]) { port in
            _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
            let channel = try scenario.channel(policy: "127.0.0.0/8", resolver: resolver, tlsConfiguration: try authority.clientConfiguration)
            let dispatcher = scenario.dispatcher(channel: channel)

            for (number, address) in ["127.0.0.1", "127.0.0.2", "127.0.0.1"].enumerated() {
                resolver.address = address
                try await scenario.shipmentDelivery(tenant, number: number)
                #expect(try await dispatcher.dispatchDue() == 1)
            }
            #expect(channel.clients.pinnedRoutes == [
                PinnedRoute(host: Self.host, port: port, address: "127.0.0.1"),
                PinnedRoute(host: Self.host, port: port, address: "127.0.0.2"),
            ])
            await channel.shutdown()

            // Two connections, one per address; the third delivery reused the first.
            #expect(receiver.accepted.map(\.address) == ["127.0.0.1", "127.0.0.2"])
            #expect(receiver.received.map(\.connection) == [1, 2, 1])
        }
    }

    @Test("A graceful stop of the dispatcher closes the kept-alive TLS connection and ends the channel")
    func dispatcherStopClosesConnections() async throws {
        let authority = try TestCertificateAuthority()
        let receiver = TLSWebhookReceiver(identity: try authority.identity(for: Self.host))
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("stopping")
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "https://\(Self.host):\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let channel = try scenario.channel(
                resolver: FakeResolver(answers: [Self.host: ["127.0.0.1"]]), tlsConfiguration: try authority.clientConfiguration)
            let dispatcher = scenario.dispatcher(channel: channel)
            let group = ServiceGroup(services: [dispatcher], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await eventually { try await scenario.delivery(delivery).state == .delivered })
                // Kept alive after the delivery...
                #expect(receiver.accepted.count == 1)
                #expect(receiver.closedConnections == 0)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // ...and closed by the stop, long before the client's own idle timeout.
            #expect(try await eventually { receiver.closedConnections == 1 })
            #expect(channel.clients.pinnedRoutes.isEmpty)
            await #expect(throws: WebhookClientPool.Closed.self) { try await channel.clients.withClient(for: nil) { _ in } }
        }
    }

    /// A port nothing listens on right now on 127.0.0.1 (bound, read, released).
    static func freePort() async throws -> Int {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        return port
    }
}

/// Pool bookkeeping without a network: capacity, idle eviction and the closed pool.
@Suite("Webhook client pool")
struct WebhookClientPoolTests {
    func route(_ last: Int) -> PinnedRoute {
        PinnedRoute(host: "hooks.merchant.example", port: 443, address: "192.0.2.\(last)")
    }

    @Test("Past its capacity the pool drops the least recently used route")
    func capacity() async throws {
        let pool = WebhookClientPool(limits: .init(capacity: 2), connectTimeout: .seconds(1), tlsConfiguration: nil, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        for last in [1, 2, 1, 3] { try await pool.withClient(for: route(last)) { _ in } }
        #expect(pool.pinnedRoutes == [route(1), route(3)])
        await pool.shutdown()
    }

    @Test("The same route gets the same client; another address gets another client")
    func samePinSameClient() async throws {
        let pool = WebhookClientPool(connectTimeout: .seconds(1), tlsConfiguration: nil, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let first = try await pool.withClient(for: route(1)) { ObjectIdentifier($0) }
        let again = try await pool.withClient(for: route(1)) { ObjectIdentifier($0) }
        let other = try await pool.withClient(for: route(2)) { ObjectIdentifier($0) }
        #expect(first == again)
        #expect(first != other)
        await pool.shutdown()
    }

    @Test("A client idle past the limit is dropped at the next use of the pool")
    func idle() async throws {
        let pool = WebhookClientPool(
            limits: .init(idleClientTimeout: .milliseconds(1)), connectTimeout: .seconds(1), tlsConfiguration: nil,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        try await pool.withClient(for: route(1)) { _ in }
        try await Task.sleep(for: .milliseconds(20))
        try await pool.withClient(for: route(2)) { _ in }
        #expect(pool.pinnedRoutes == [route(2)])
        await pool.shutdown()
    }

    @Test("A client that leaves the pool mid-send stays usable until the send ends; a shut pool refuses")
    func leavingWhileInUse() async throws {
        let pool = WebhookClientPool(limits: .init(capacity: 1), connectTimeout: .seconds(1), tlsConfiguration: nil, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        try await pool.withClient(for: route(1)) { client in
            // Route 2 pushes route 1 out while its client is still in use here.
            _ = try? await pool.withClient(for: route(2)) { _ in }
            #expect(pool.pinnedRoutes == [route(2)])
            // Still up: it tries to connect (nothing listens on port 1), where a shut-down
            // client would throw `alreadyShutdown` without trying.
            do {
                _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/"), timeout: .seconds(5))
                Issue.record("something answered on 127.0.0.1:1")
            } catch {
                #expect(ConnectFailure.reason(error) == "connection refused")
            }
        }
        await pool.shutdown()
        await #expect(throws: WebhookClientPool.Closed.self) { try await pool.withClient(for: route(1)) { _ in } }
    }
}

/// Which failures let the channel try the next vetted address: only those where no connection
/// was made, so a receiver never gets the same delivery twice in one attempt.
@Suite("Connect failures")
struct ConnectFailureTests {
    @Test("Refused, unreachable and timed-out connections are connect failures")
    func connectFailures() {
        #expect(ConnectFailure.reason(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(ConnectFailure.reason(IOError(errnoCode: EHOSTUNREACH, reason: "connect")) == "host unreachable")
        #expect(ConnectFailure.reason(HTTPClientError.connectTimeout) == "connecting timed out")
        #expect(ConnectFailure.reason(ChannelError.connectTimeout(.seconds(5))) == "connecting timed out")
    }

    @Test("Failures after the connection was made are not: a reset, a closed connection, a TLS error, the deadline")
    func notConnectFailures() {
        #expect(ConnectFailure.reason(IOError(errnoCode: ECONNRESET, reason: "read")) == nil)
        #expect(ConnectFailure.reason(HTTPClientError.remoteConnectionClosed) == nil)
        #expect(ConnectFailure.reason(HTTPClientError.deadlineExceeded) == nil)
        #expect(ConnectFailure.reason(NIOSSLExtraError.failedToValidateHostname) == nil)
        #expect(ConnectFailure.tlsReason(NIOSSLExtraError.failedToValidateHostname) == "its certificate is not for this host name")
        #expect(ConnectFailure.tlsReason(HTTPClientError.remoteConnectionClosed) == nil)
    }
}
