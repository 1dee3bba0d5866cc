/// Sends through an SMTP relay and says what the answer means for retries and suppression.
public struct SMTPMailTransport: MailTransport {
    public let client: SMTPClient

    public init(client: SMTPClient) {
        self.client = client
    }

    public func deliver(_ rendered: [UInt8], from: Mailbox, to: Mailbox, deliveryID: String) async -> SendOutcome {
        do {
            return Self.outcome(try await client.send(rendered, from: from, to: to))
        } catch {
            // No conversation, or one cut short (refused connection, timeout, TLS, a connection
            // dropped before the answer): nothing was said about the recipient, so try again later.
            return .failed(SendFailure(error: "SMTP: \(error)", permanent: false))
        }
    }

    /// 250 delivered; 4xx try again; 5xx about the recipient or the message is final and
    /// suppresses the address. A 5xx before the recipient (greeting, EHLO, TLS, AUTH, MAIL FROM)
    /// says the relay or our configuration is wrong, not the address: retried, never suppressed,
    /// so fixing the configuration lets the queued messages go.
    static func outcome(_ result: SMTPDeliveryResult) -> SendOutcome {
        switch result {
        case .delivered(let reply):
            return .delivered(reply: reply.description)
        case .temporaryFailure(let reply, let stage):
            return .failed(SendFailure(error: "SMTP \(stage.rawValue) deferred: \(reply)", permanent: false, reply: reply.description))
        case .permanentFailure(let reply, let stage) where stage == .recipient || stage == .data:
            return .failed(SendFailure(
                error: "SMTP \(stage.rawValue) refused: \(reply)", permanent: true, reply: reply.description, suppressRecipient: true))
        case .permanentFailure(let reply, let stage):
            return .failed(SendFailure(
                error: "SMTP \(stage.rawValue) refused (check the SMTP settings): \(reply)", permanent: false, reply: reply.description))
        }
    }
}
