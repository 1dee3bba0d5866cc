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
