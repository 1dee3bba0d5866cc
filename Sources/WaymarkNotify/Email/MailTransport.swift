/// Where a finished email goes: an SMTP relay, or a folder of `.eml` files when none is
/// configured. The channel builds and renders the message the same way for both.
public protocol MailTransport: Sendable {
    /// Hands over one rendered RFC 5322 message; `deliveryID` names it where a name is needed.
    func deliver(_ rendered: [UInt8], from: Mailbox, to: Mailbox, deliveryID: String) async -> SendOutcome
}
