/// What became of one message. Transport problems (refused connection, timeout, TLS failure)
/// are thrown as `SMTPError` instead and are worth a retry; a 5xx is not.
public enum SMTPDeliveryResult: Sendable, Equatable {
    /// The server took responsibility for the message (250 after DATA).
    case delivered(SMTPReply)
    /// A 4xx reply: try again later.
    case temporaryFailure(SMTPReply, stage: SMTPStage)
    /// A 5xx reply: do not retry. At `.recipient` (or `.data`) the address should be suppressed;
    /// at `.authentication` or `.sender` the configuration is wrong.
    case permanentFailure(SMTPReply, stage: SMTPStage)
}

/// The step of the conversation that a failure reply answered.
public enum SMTPStage: String, Sendable, Equatable {
    case greeting, hello, startTLS, authentication, sender, recipient, data
}
