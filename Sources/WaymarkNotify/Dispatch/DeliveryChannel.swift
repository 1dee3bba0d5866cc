import Foundation
import WaymarkCore

/// One way of sending a claimed delivery: merchant webhooks, SMTP email, SMS. The dispatcher
/// owns claiming, retries, the attempts log and fairness; a channel only sends and says how it went.
public protocol DeliveryChannel: Sendable {
    func send(_ claimed: ClaimedDelivery) async -> SendOutcome
    /// Releases what the channel keeps between sends (kept-alive connections). The dispatcher
    /// calls it once, after its last send has finished.
    func shutdown() async
}

extension DeliveryChannel {
    /// Most channels keep nothing between sends.
    public func shutdown() async {}
}

/// What one send came to, in terms the dispatcher turns into the attempts log and a retry.
public enum SendOutcome: Sendable, Equatable {
    /// Accepted: a 2xx for HTTP channels (`httpStatus`), a 250 after DATA for email (`reply`).
    case delivered(httpStatus: Int? = nil, reply: String? = nil)
    case failed(SendFailure)
    /// Not sent, on purpose and without an attempt: wait until `until` (SMS quiet hours).
    case postponed(until: Date)
    /// Not sent and never to be: the recipient opted out, the message went stale.
    case skipped(reason: String)
}

/// A failed send and what it means.
public struct SendFailure: Sendable, Equatable {
    /// Short, safe to show the merchant, free of secrets.
    public var error: String
    /// The same message would fail the same way again: don't retry (5xx SMTP, most 4xx HTTP).
    public var permanent: Bool
    public var httpStatus: Int?
    /// The server's reply line (SMTP).
    public var reply: String?
    /// The receiver asked to wait this long before the next attempt.
    public var retryAfter: TimeInterval?
    /// A reason to disable the webhook endpoint now (410 Gone).
    public var disableEndpoint: String?
    /// Put the recipient on the tenant's suppression list (a hard bounce, a STOPped number).
    public var suppressRecipient: Bool

    public init(
        error: String, permanent: Bool, httpStatus: Int? = nil, reply: String? = nil, retryAfter: TimeInterval? = nil,
        disableEndpoint: String? = nil, suppressRecipient: Bool = false
    ) {
        self.error = error
        self.permanent = permanent
        self.httpStatus = httpStatus
        self.reply = reply
        self.retryAfter = retryAfter
        self.disableEndpoint = disableEndpoint
        self.suppressRecipient = suppressRecipient
    }
}

/// The words of a shopper message, rendered from the tenant's templates in the shopper's
/// language. Implemented where the templates live (WaymarkWeb), used by the email and SMS channels.
public protocol MessageComposer: Sendable {
    func email(for claimed: ClaimedDelivery) async throws -> ComposedEmail
    func sms(for claimed: ClaimedDelivery) async throws -> String
}

/// A rendered email: subject, both bodies, and the links its headers carry.
public struct ComposedEmail: Sendable, Equatable {
    public var subject: String
    public var html: String
    public var text: String
    /// The one-click unsubscribe URL for `List-Unsubscribe` (https).
    public var unsubscribeURL: String?

    public init(subject: String, html: String, text: String, unsubscribeURL: String?) {
        self.subject = subject
        self.html = html
        self.text = text
        self.unsubscribeURL = unsubscribeURL
    }
}
