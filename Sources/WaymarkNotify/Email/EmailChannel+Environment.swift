import Foundation
import Logging
import NIOCore
import WaymarkCore

extension EmailChannel {
    /// A setting `waymark serve` cannot start with, named so the operator knows what to fix.
    public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Where mail goes and who it is from when the tenant names no sender.
    public struct Setup: Sendable {
        public var transport: any MailTransport
        public var sender: Mailbox

        public init(transport: any MailTransport, sender: Mailbox) {
            self.transport = transport
            self.sender = sender
        }
    }

    /// The channel as the environment configures it (see `Setup.fromEnvironment`).
    public static func fromEnvironment(
        _ environment: [String: String], composer: any MessageComposer, links: PublicLinks,
        logger: Logger = Logger(label: "waymark.email")
    ) throws(ConfigurationError) -> EmailChannel {
        let setup = try Setup.fromEnvironment(environment, links: links, logger: logger)
        return EmailChannel(composer: composer, transport: setup.transport, defaultSender: setup.sender)
    }
}

extension EmailChannel.Setup {
    /// - `WAYMARK_SMTP_URL` (`smtp://user:pass@host:587`, `smtps://...:465`): send through that
    ///   relay; when unset, write `.eml` files into `WAYMARK_MAIL_DIR` (default `./outbox-mail`).
    /// - `WAYMARK_SMTP_TIMEOUT`: seconds to wait for each of the relay's replies (default 60);
    ///   past it the attempt fails and is retried on the delivery schedule.
    /// - `WAYMARK_MAIL_FROM`: the From address of tenants that set none; default
    ///   `notifications@<host of the base URL>`.
    public static func fromEnvironment(
        _ environment: [String: String], links: PublicLinks, logger: Logger = Logger(label: "waymark.email")
    ) throws(EmailChannel.ConfigurationError) -> EmailChannel.Setup {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let host = URLComponents(string: links.baseURL)?.host ?? "localhost"
        let fromAddress = value("WAYMARK_MAIL_FROM") ?? "notifications@\(host)"
        let sender: Mailbox
        do { sender = try Mailbox(fromAddress) } catch {
            throw .init(description: "WAYMARK_MAIL_FROM '\(fromAddress)' is not a plain address like notifications@example.com")
        }
        var replyTimeout: TimeAmount?
        if let text = value("WAYMARK_SMTP_TIMEOUT") {
            guard let seconds = Double(text), seconds >= 0.1, seconds <= 3_600 else {
                throw .init(description: "WAYMARK_SMTP_TIMEOUT '\(text)' must be a number of seconds from 0.1 to 3600, like 60")
            }
            replyTimeout = .milliseconds(Int64(seconds * 1000))
        }
        let transport: any MailTransport
        if let url = value("WAYMARK_SMTP_URL") {
            do {
                var configuration = try SMTPConfiguration(url: url)
                configuration.clientName = host
                if let replyTimeout { configuration.commandTimeout = replyTimeout }
                transport = SMTPMailTransport(client: SMTPClient(configuration: configuration, logger: logger))
            } catch {
                // The URL itself is never echoed: it holds the relay password.
                guard case .invalidURL(let reason) = error else { throw .init(description: "WAYMARK_SMTP_URL is not valid") }
                throw .init(description: "WAYMARK_SMTP_URL: \(reason)")
            }
        } else {
            let directory = value("WAYMARK_MAIL_DIR") ?? "./outbox-mail"
            transport = MailFolderTransport(directory: URL(fileURLWithPath: directory))
        }
        return EmailChannel.Setup(transport: transport, sender: sender)
    }
}
