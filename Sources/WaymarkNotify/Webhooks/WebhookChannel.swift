import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WaymarkCore
import WaymarkSigning

/// Merchant webhooks: POSTs the delivery's frozen payload, signed by Standard Webhooks, to the
/// endpoint's URL, connecting only to the addresses the SSRF guard vetted at send time.
///
/// Connections are kept alive between deliveries (see `WebhookClientPool`), for https too; the
/// dispatcher calls `shutdown()` when it stops. When a name has several vetted addresses and one
/// cannot be connected to, the next is tried; once a server has answered, that answer stands.
public struct WebhookChannel: DeliveryChannel {
    /// How webhook requests are made.
    public struct Configuration: Sendable {
        /// Connecting, sending and reading the answer together: a receiver that hangs is cut off.
        /// Trying a further address after a failed connection spends from the same budget.
        public var timeout: Duration
        /// Connecting to one address; past it the next vetted address is tried. Capped at `timeout`.
        public var connectTimeout: Duration
        /// How much of a receiver's answer is read (for the attempts log); the rest is dropped.
        public var maximumResponseBytes: Int
        /// TLS settings for https endpoints; nil is the system trust store with host name checks.
        public var tlsConfiguration: TLSConfiguration?
        public var userAgent: String

        public init(
            timeout: Duration = .seconds(15), connectTimeout: Duration = .seconds(5), maximumResponseBytes: Int = 4096,
            tlsConfiguration: TLSConfiguration? = nil, userAgent: String = "Waymark-Webhooks/1"
        ) {
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.maximumResponseBytes = maximumResponseBytes
            self.tlsConfiguration = tlsConfiguration
            self.userAgent = userAgent
        }
    }

    let configuration: Configuration
    let urlCheck: URLCheck
    let resolver: any Resolver
    let clients: WebhookClientPool
    let now: @Sendable () -> Date

    public init(
        policy: OutboundPolicy, configuration: Configuration = Configuration(), resolver: any Resolver = SystemResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.urlCheck = URLCheck(policy: policy)
        self.resolver = resolver
        self.clients = WebhookClientPool(
            connectTimeout: min(configuration.connectTimeout, configuration.timeout), tlsConfiguration: configuration.tlsConfiguration,
            eventLoopGroup: eventLoopGroup)
        self.now = now
    }

    public func send(_ claimed: ClaimedDelivery) async -> SendOutcome {
        guard let endpoint = claimed.endpoint else { return .skipped(reason: "the webhook endpoint was deleted") }
        if endpoint.disabledAt != nil {
            return .skipped(reason: "the webhook endpoint is disabled" + (endpoint.disabledReason.map { ": \($0)" } ?? ""))
        }
        let destination: VettedDestination
        do {
            destination = try await urlCheck.checkAtSendTime(endpoint.url, resolver: resolver)
        } catch {
            return .failed(SendFailure(error: "refused to send to this URL: \(error.description)", permanent: true))
        }
        let addresses = destination.addresses.compactMap(\.ipAddress)
        guard !addresses.isEmpty else {
            return .failed(SendFailure(error: "no address to connect to for \(destination.url.hostAsWritten)", permanent: false))
        }

        let signedAt = now()
        let timestamp = StandardWebhooks.unixSeconds(signedAt)
        let body = Array(claimed.delivery.payload.utf8)
        let signature: String
        do {
            signature = try StandardWebhooks.signatureHeaderValue(
                secrets: endpoint.signingSecrets(at: signedAt), id: claimed.delivery.id, timestamp: timestamp, body: body)
        } catch {
            return .failed(SendFailure(error: "the endpoint's signing secret is unusable: \(error.reason)", permanent: true))
        }

        let signedHeaders: HTTPHeaders = [
            "Content-Type": "application/json", "User-Agent": configuration.userAgent, StandardWebhooks.idHeader: claimed.delivery.id,
            StandardWebhooks.timestampHeader: String(timestamp), StandardWebhooks.signatureHeader: signature,
        ]
        // One budget for every address tried, so a dead address cannot stretch the timeout.
        let deadline = NIODeadline.now() + TimeAmount(configuration.timeout)
        var unreachable: [String] = []
        for address in addresses {
            var request = HTTPClientRequest(url: Self.url(destination, address: address))
            request.method = .POST
            if destination.url.scheme == "http" { request.headers.add(name: "Host", value: Self.hostHeader(destination.url)) }
            request.headers.add(contentsOf: signedHeaders)
            request.body = .bytes(ByteBuffer(bytes: body))

            let attempt: Attempt
            do {
                attempt = try await clients.withClient(for: Self.route(destination, address: address)) { client in
                    await post(request, with: client, deadline: deadline, host: destination.url.hostAsWritten)
                }
            } catch {
                return .failed(SendFailure(error: "\(error); the delivery will be retried", permanent: false))
            }
            switch attempt {
            case .finished(let outcome):
                return outcome
            case .couldNotConnect(let reason):
                unreachable.append("\(address): \(reason)")
            }
        }
        let host = destination.url.hostAsWritten
        return .failed(SendFailure(
            error: "could not connect to \(host) on port \(destination.url.port) (\(unreachable.joined(separator: "; ")))", permanent: false))
    }

    /// Shuts the kept-alive clients down; the dispatcher calls it after its last send.
    public func shutdown() async {
        await clients.shutdown()
    }

    /// What came of trying one vetted address.
    enum Attempt {
        /// The server answered, or failed after the connection was made: no other address is tried.
        case finished(SendOutcome)
        /// No connection was made (refused, unreachable, timed out): the next address may be tried.
        case couldNotConnect(String)
    }

    /// Plain http asks for the vetted address itself, with the name in the Host header, so one
    /// client serves every endpoint. https keeps the name (SNI and the certificate need it) and
    /// goes through the client pinned to this address.
    static func url(_ destination: VettedDestination, address: String) -> String {
        let url = destination.url
        let host: String
        switch url.host {
        case .name(let name) where url.scheme == "https":
            host = name
        case .name, .address:
            host = address.contains(":") ? "[\(address)]" : address
        }
        return "\(url.scheme)://\(host):\(url.port)\(url.requestTarget)"
    }

    /// The pool's route for https (nil: the plain-http client).
    static func route(_ destination: VettedDestination, address: String) -> PinnedRoute? {
        let url = destination.url
        guard url.scheme == "https" else { return nil }
        let host = if case .name(let name) = url.host { name } else { address }
        return PinnedRoute(host: host, port: url.port, address: address)
    }

    /// The `Host` header the receiver expects: the normalized name (or the address as written),
    /// with the port unless it is the scheme's default.
    static func hostHeader(_ url: OutboundURL) -> String {
        let host = if case .name(let name) = url.host { name } else { url.hostAsWritten }
        let defaultPort = url.scheme == "https" ? 443 : 80
        return url.port == defaultPort ? host : "\(host):\(url.port)"
    }

    private func post(_ request: HTTPClientRequest, with client: HTTPClient, deadline: NIODeadline, host: String) async -> Attempt {
        do {
            let response = try await client.execute(request, deadline: deadline)
            let answer = try await readAtMost(configuration.maximumResponseBytes, of: response.body)
            let retryAfter = RetryAfter.seconds(response.headers.first(name: "Retry-After"), now: now())
            return .finished(WebhookAnswer.outcome(status: Int(response.status.code), retryAfter: retryAfter, body: answer))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .finished(.failed(SendFailure(error: "no answer within \(configuration.timeout)", permanent: false)))
        } catch {
            if let reason = ConnectFailure.reason(error) { return .couldNotConnect(reason) }
            if let reason = ConnectFailure.tlsReason(error) {
                return .finished(.failed(SendFailure(
                    error: "the TLS handshake with \(host) failed (\(reason)); the endpoint must present a valid certificate for \(host)",
                    permanent: false)))
            }
            return .finished(.failed(SendFailure(error: "connection failed: \(error)", permanent: false)))
        }
    }

    /// Reads the start of the answer and stops: a receiver cannot make Waymark buffer megabytes.
    private func readAtMost(_ limit: Int, of body: HTTPClientResponse.Body) async throws -> String {
        var collected = ByteBuffer()
        for try await part in body {
            var chunk = part
            let room = limit - collected.readableBytes
            if room <= 0 { break }
            if let slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                collected.writeImmutableBuffer(slice)
            }
        }
        return String(decoding: collected.readableBytesView, as: UTF8.self)
    }
}
