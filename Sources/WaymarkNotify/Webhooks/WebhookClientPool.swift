import AsyncHTTPClient
import NIOCore
import NIOSSL
import Synchronization

/// Where one https client may connect: the URL's host (for SNI, the certificate check and the
/// Host header), its port, and the one address the SSRF guard vetted for it at send time. A
/// different vetted address is a different route, so a client pinned to an old address is never
/// reused for a new one.
struct PinnedRoute: Hashable, Sendable {
    /// The normalized host name, or the IP literal when the URL names an address.
    var host: String
    var port: Int
    /// The vetted address the connection must go to, as text (`203.0.113.7`, `2001:db8::1`).
    var address: String
}

/// The HTTP clients of the webhook channel, kept between deliveries so that connections — and
/// their TLS handshakes — are reused.
///
/// Plain http needs one client: its requests name the vetted address itself. https cannot, since
/// the name must stay in the URL for SNI and the certificate check, so each `PinnedRoute` gets its
/// own client whose `dnsOverride` maps that one name to that one vetted address, and nothing else.
/// The pinned clients are bounded (least recently used go first) and idle ones are dropped when
/// the pool is next used; AsyncHTTPClient closes a client's idle connections on its own timer
/// meanwhile. A client leaving the pool is shut down once the sends using it have finished.
final class WebhookClientPool: Sendable {
    struct Limits: Sendable {
        /// How many https routes keep a client; past it the least recently used is dropped.
        var capacity: Int = 64
        /// A client unused this long is dropped at the next send.
        var idleClientTimeout: Duration = .seconds(300)
        /// How long a kept-alive connection may sit unused inside a client before it is closed.
        var idleConnectionTimeout: Duration = .seconds(60)
    }

    /// The channel was shut down: nothing more is sent through it.
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the webhook channel is shutting down" }
    }

    private struct Pinned {
        let client: HTTPClient
        var lastUsed: ContinuousClock.Instant
    }

    private struct State {
        var plain: HTTPClient?
        var pinned: [PinnedRoute: Pinned] = [:]
        /// Sends under way per client: a client leaving the pool is shut down when this reaches 0.
        var users: [ObjectIdentifier: Int] = [:]
        /// Clients out of the pool that still serve a send.
        var leaving: [ObjectIdentifier: HTTPClient] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    private let limits: Limits
    private let connectTimeout: Duration
    private let tlsConfiguration: TLSConfiguration?
    private let eventLoopGroup: any EventLoopGroup

    init(limits: Limits = Limits(), connectTimeout: Duration, tlsConfiguration: TLSConfiguration?, eventLoopGroup: any EventLoopGroup) {
        self.limits = limits
        self.connectTimeout = connectTimeout
        self.tlsConfiguration = tlsConfiguration
        self.eventLoopGroup = eventLoopGroup
    }

    /// Runs `body` with the client for `route` (nil: the plain-http client), which stays in use
    /// — and is not shut down — until `body` returns.
    func withClient<T>(for route: PinnedRoute?, _ body: (HTTPClient) async -> T) async throws(Closed) -> T {
        let (client, dropped) = try lease(route)
        let result = await body(client)
        let finished = release(client, route: route)
        for client in dropped + finished { await Self.shutDown(client) }
        return result
    }

    /// Shuts every client down; later sends fail with `Closed`. A client still serving a send is
    /// shut down when that send ends.
    func shutdown() async {
        let idle = state.withLock { state -> [HTTPClient] in
            state.closed = true
            var all = state.pinned.values.map(\.client)
            if let plain = state.plain { all.append(plain) }
            state.pinned = [:]
            state.plain = nil
            return all.filter { client in
                if state.users[ObjectIdentifier(client)] == nil { return true }
                state.leaving[ObjectIdentifier(client)] = client
                return false
            }
        }
        for client in idle { await Self.shutDown(client) }
    }

    /// The routes that have a client now, for tests.
    var pinnedRoutes: Set<PinnedRoute> { state.withLock { Set($0.pinned.keys) } }

    /// AsyncHTTPClient requires every client to be shut down: a pool dropped without
    /// `shutdown()` (a channel whose dispatcher never ran) starts that for its clients here.
    deinit {
        let clients = state.withLock { state in
            state.pinned.values.map(\.client) + (state.plain.map { [$0] } ?? []) + Array(state.leaving.values)
        }
        for client in clients { client.shutdown { _ in } }
    }

    private func lease(_ route: PinnedRoute?) throws(Closed) -> (HTTPClient, dropped: [HTTPClient]) {
        let now = ContinuousClock.now
        return try state.withLock { state throws(Closed) in
            guard !state.closed else { throw Closed() }
            let client: HTTPClient
            var dropped: [HTTPClient] = []
            if let route {
                if let existing = state.pinned[route] {
                    client = existing.client
                } else {
                    client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration(pinning: route))
                }
                state.pinned[route] = Pinned(client: client, lastUsed: now)
                dropped = evict(&state, keeping: route, now: now)
            } else if let plain = state.plain {
                client = plain
            } else {
                client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration(pinning: nil))
                state.plain = client
            }
            state.users[ObjectIdentifier(client), default: 0] += 1
            return (client, dropped)
        }
    }

    /// Clients to shut down now: the ones that left the pool and served their last send. Idle
    /// time counts from the end of a send, so a long send does not make its client look stale.
    private func release(_ client: HTTPClient, route: PinnedRoute?) -> [HTTPClient] {
        let id = ObjectIdentifier(client)
        let now = ContinuousClock.now
        return state.withLock { state in
            if let route, state.pinned[route]?.client === client { state.pinned[route]?.lastUsed = now }
            let remaining = (state.users[id] ?? 1) - 1
            guard remaining == 0 else {
                state.users[id] = remaining
                return []
            }
            state.users[id] = nil
            return state.leaving.removeValue(forKey: id).map { [$0] } ?? []
        }
    }

    /// Takes out the clients idle past the limit, then the least recently used while over
    /// capacity. A client still in use moves to `leaving`; the idle ones are returned.
    private func evict(_ state: inout State, keeping kept: PinnedRoute, now: ContinuousClock.Instant) -> [HTTPClient] {
        var out: [PinnedRoute] = state.pinned.filter { route, pinned in
            route != kept && state.users[ObjectIdentifier(pinned.client)] == nil && now - pinned.lastUsed > limits.idleClientTimeout
        }.map(\.key)
        let excess = state.pinned.count - out.count - max(limits.capacity, 1)
        if excess > 0 {
            let candidates = state.pinned.filter { route, _ in route != kept && !out.contains(route) }
                .sorted { $0.value.lastUsed < $1.value.lastUsed }
            out += candidates.prefix(excess).map(\.key)
        }
        var idle: [HTTPClient] = []
        for route in out {
            guard let pinned = state.pinned.removeValue(forKey: route) else { continue }
            let id = ObjectIdentifier(pinned.client)
            if state.users[id] == nil { idle.append(pinned.client) } else { state.leaving[id] = pinned.client }
        }
        return idle
    }

    /// Redirects are never followed (a 3xx is a failed attempt), answers are read as sent, and a
    /// failed connection fails the request at once instead of being retried inside the client:
    /// the channel moves on to the next vetted address itself. For a route the name is pinned to
    /// the vetted address, so AsyncHTTPClient connects there without a second lookup while the
    /// Host header, SNI and the certificate check keep the name.
    private func configuration(pinning route: PinnedRoute?) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        if let route {
            if let tlsConfiguration { configuration.tlsConfiguration = tlsConfiguration }
            if route.host != route.address { configuration.dnsOverride = [route.host: route.address] }
        }
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: TimeAmount(connectTimeout))
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: TimeAmount(limits.idleConnectionTimeout))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    private static func shutDown(_ client: HTTPClient) async {
        // Only fails if already shut down, which the pool's bookkeeping rules out.
        try? await client.shutdown()
    }
}
