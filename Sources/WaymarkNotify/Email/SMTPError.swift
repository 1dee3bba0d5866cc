/// A failure to hold the SMTP conversation at all; unlike a reply code, these say nothing about
/// the recipient and are worth a retry once the cause (network, TLS, configuration) is fixed.
public enum SMTPError: Error, Sendable, Equatable {
    case invalidURL(String)
    /// No reply within the command timeout; the connection was closed.
    case timeout(waitingFor: String)
    case connectionClosed
    /// A reply line that is not `NNN`, `NNN text` or `NNN-text`, or a line over 4 KiB.
    case malformedReply(String)
    /// The configuration requires TLS and the server does not offer STARTTLS.
    case tlsRequiredButNotOffered
    /// Credentials are configured, the connection is not encrypted and
    /// `allowsCredentialsWithoutTLS` is off: the password is not sent in the clear.
    case credentialsRequireTLS
    /// Credentials are configured but the server offers neither AUTH PLAIN nor AUTH LOGIN.
    case noSupportedAuthMechanism(offered: String)
    /// A reply that makes no sense at this step (such as 334 where 235 is due).
    case unexpectedReply(SMTPReply, stage: SMTPStage)
    /// A socket or TLS failure (refused connection, untrusted certificate, failed handshake).
    case transport(String)
}

extension SMTPError: CustomStringConvertible {
    /// What an operator reads in the delivery's attempts and the log.
    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid SMTP URL: \(reason)"
        case .timeout(let step): "no reply within the SMTP timeout (WAYMARK_SMTP_TIMEOUT) while waiting for \(step)"
        case .connectionClosed: "the relay closed the connection without answering"
        case .malformedReply(let line): "the relay's reply is not SMTP: \(line)"
        case .tlsRequiredButNotOffered: "the relay does not offer STARTTLS, which the configuration requires"
        case .credentialsRequireTLS: "the connection is not encrypted, so the SMTP password is not sent"
        case .noSupportedAuthMechanism(let offered): "the relay offers neither AUTH PLAIN nor AUTH LOGIN (it offers \(offered))"
        case .unexpectedReply(let reply, let stage): "unexpected reply at \(stage.rawValue): \(reply)"
        case .transport(let reason): reason
        }
    }
}
