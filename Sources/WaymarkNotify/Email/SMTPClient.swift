import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one message per connection to an SMTP relay: greeting, EHLO (HELO when EHLO is
/// refused), STARTTLS, AUTH PLAIN/LOGIN, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT.
/// One command at a time (no pipelining), each reply awaited within `commandTimeout`.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "waymark.smtp")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Renders and sends `message` to its `To` address.
    public func send(_ message: EmailMessage) async throws -> SMTPDeliveryResult {
        let bytes = try message.rendered()
        return try await send(bytes, from: message.from, to: message.to)
    }

    /// Sends already rendered RFC 5322 bytes; `from` and `to` make the envelope.
    public func send(_ rendered: [UInt8], from: Mailbox, to: Mailbox) async throws -> SMTPDeliveryResult {
        let tlsContext = try makeTLSContext()
        let reader = SMTPReplyReader(eventLoop: eventLoopGroup.next())
        let channel = try await connect(reader: reader, tlsContext: tlsContext)
        let session = SMTPSession(
            channel: channel, reader: reader, configuration: configuration, tlsContext: tlsContext, logger: logger
        )
        do {
            let result = try await session.run(rendered, from: from.address, to: to.address)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private func makeTLSContext() throws(SMTPError) -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch configuration.certificateVerification {
        case .system: break
        case .trustedCA(let pemFile): tls.trustRoots = .file(pemFile)
        case .disabledForTesting: tls.certificateVerification = .none
        }
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw .transport("TLS setup failed: \(error)")
        }
    }

    private func connect(reader: SMTPReplyReader, tlsContext: NIOSSLContext) async throws -> any Channel {
        let implicitTLS = configuration.security == .implicitTLS
        let serverName = Self.serverName(for: configuration.host)
        let bootstrap = ClientBootstrap(group: reader.eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
        do {
            return try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError.transport("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// SNI and host-name checks take a DNS name, never an IP literal.
    static func serverName(for host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
