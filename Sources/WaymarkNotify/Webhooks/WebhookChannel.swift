import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WaymarkCore
import WaymarkStore

/// Merchant webhooks: POSTs the delivery's frozen payload, signed by Standard Webhooks, to the
/// endpoint's URL, connecting only to the address the SSRF guard vetted at send time.
public struct WebhookChannel: DeliveryChannel {
    /// How webhook requests are made.
    public struct Configuration: Sendable {
        /// Connecting, sending and reading the answer together: a receiver that hangs is cut off.
        public var timeout: Duration
        /// How much of a receiver's answer is read (for the attempts log); the rest is dropped.
        public var maximumResponseBytes: Int
        /// TLS settings for https endpoints; nil is the system trust store with host name checks.
        public var tlsConfiguration: TLSConfiguration?
        public var userAgent: String

        public init(
            timeout: Duration = .seconds(15), maximumResponseBytes: Int = 4096, tlsConfiguration: TLSConfiguration? = nil,
            userAgent: String = "Waymark-Webhooks/1"
        ) {
            self.timeout = timeout
            self.maximumResponseBytes = maximumResponseBytes
            self.tlsConfiguration = tlsConfiguration
            self.userAgent = userAgent
        }
    }

    let configuration: Configuration
    let urlCheck: URLCheck
    let resolver: any Resolver
    let eventLoopGroup: any EventLoopGroup
    let now: @Sendable () -> Date

    public init(
        policy: OutboundPolicy, configuration: Configuration = Configuration(), resolver: any Resolver = SystemResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.urlCheck = URLCheck(policy: policy)
        self.resolver = resolver
        self.eventLoopGroup = eventLoopGroup
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
        guard let pinned = destination.addresses.first?.ipAddress else {
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

        let plain = destination.url.scheme == "http"
        var request = HTTPClientRequest(url: plain ? Self.addressURL(destination, pinned: pinned) : Self.requestURL(destination))
        request.method = .POST
        if plain { request.headers.add(name: "Host", value: Self.hostHeader(destination.url)) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        request.headers.add(name: StandardWebhooks.idHeader, value: claimed.delivery.id)
        request.headers.add(name: StandardWebhooks.timestampHeader, value: String(timestamp))
        request.headers.add(name: StandardWebhooks.signatureHeader, value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))

        // Plain http goes to the vetted address itself, so one pooled client serves every
        // endpoint and keeps connections alive. With TLS the name must stay in the URL for SNI
        // and the certificate check, so the address is pinned in the client's own configuration
        // (`dnsOverride`): one client for this send.
        if plain { return await post(request, with: Self.pooledPlainClient) }
        let client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: clientConfiguration(destination, pinned: pinned))
        let outcome = await post(request, with: client)
        try? await client.shutdown()
        return outcome
    }

    /// The client for plain-http webhooks: no redirects, no decompression, connections kept
    /// alive between deliveries. Process-wide and never shut down, like `HTTPClient.shared`.
    static let pooledPlainClient: HTTPClient = {
        var client = HTTPClient.Configuration()
        client.redirectConfiguration = .disallow
        client.timeout = .init(connect: .seconds(15))
        client.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: client)
    }()

    /// `http://{vetted address}:{port}{target}`: the connection can only go where the guard said.
    static func addressURL(_ destination: VettedDestination, pinned: String) -> String {
        let host = pinned.contains(":") ? "[\(pinned)]" : pinned
        return "http://\(host):\(destination.url.port)\(destination.url.requestTarget)"
    }

    /// The `Host` header the receiver expects: the normalized name (or the address as written),
    /// with the port unless it is the scheme's default.
    static func hostHeader(_ url: OutboundURL) -> String {
        let host = if case .name(let name) = url.host { name } else { url.hostAsWritten }
        let defaultPort = url.scheme == "https" ? 443 : 80
        return url.port == defaultPort ? host : "\(host):\(url.port)"
    }

    private func post(_ request: HTTPClientRequest, with client: HTTPClient) async -> SendOutcome {
        do {
            let response = try await client.execute(request, timeout: TimeAmount(configuration.timeout))
            let answer = try await readAtMost(configuration.maximumResponseBytes, of: response.body)
            let retryAfter = RetryAfter.seconds(response.headers.first(name: "Retry-After"), now: now())
            return WebhookAnswer.outcome(status: Int(response.status.code), retryAfter: retryAfter, body: answer)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failed(SendFailure(error: "no answer within \(configuration.timeout)", permanent: false))
        } catch {
            return .failed(SendFailure(error: "connection failed: \(error)", permanent: false))
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

    /// Redirects are never followed: a 3xx is a failed attempt and its Location is not requested.
    /// The vetted address is pinned for the URL's host name, so AsyncHTTPClient connects there
    /// without a second lookup while the Host header, SNI and certificate check keep the name.
    private func clientConfiguration(_ destination: VettedDestination, pinned: String) -> HTTPClient.Configuration {
        var client = HTTPClient.Configuration()
        client.tlsConfiguration = configuration.tlsConfiguration ?? client.tlsConfiguration
        client.redirectConfiguration = .disallow
        client.timeout = .init(connect: TimeAmount(configuration.timeout))
        client.decompression = .disabled
        if case .name(let name) = destination.url.host {
            client.dnsOverride = [name: pinned]
        }
        return client
    }

    /// The URL rebuilt from what the SSRF guard parsed: the normalized host name (the key the
    /// pinned address is registered under), or the vetted address itself for an IP literal.
    static func requestURL(_ destination: VettedDestination) -> String {
        let url = destination.url
        let host: String
        switch url.host {
        case .name(let name):
            host = name
        case .address:
            let address = destination.addresses.first?.ipAddress ?? url.hostAsWritten
            host = address.contains(":") ? "[\(address)]" : address
        }
        return "\(url.scheme)://\(host):\(url.port)\(url.requestTarget)"
    }
}
