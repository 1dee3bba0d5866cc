import Foundation
import WaymarkCore

/// Sends shopper emails: the composer writes the words, this builds the message (sender,
/// one-click unsubscribe headers, a Message-ID fixed by the delivery) and hands it to the
/// transport, an SMTP relay or a folder of `.eml` files.
public struct EmailChannel: DeliveryChannel {
    let composer: any MessageComposer
    let transport: any MailTransport
    /// The From address when the tenant set none (`WAYMARK_MAIL_FROM`).
    let defaultSender: Mailbox
    let now: @Sendable () -> Date

    public init(
        composer: any MessageComposer, transport: any MailTransport, defaultSender: Mailbox,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.composer = composer
        self.transport = transport
        self.defaultSender = defaultSender
        self.now = now
    }

    public func send(_ claimed: ClaimedDelivery) async -> SendOutcome {
        guard !claimed.recipientOptedOut else { return .skipped(reason: "the shopper unsubscribed or the address is suppressed") }
        let message: EmailMessage
        let rendered: [UInt8]
        do {
            message = try await build(claimed)
            rendered = try message.rendered(date: now(), messageID: Self.messageID(deliveryID: claimed.delivery.id, sender: message.from))
        } catch let refusal as Refusal {
            return .failed(SendFailure(error: refusal.reason, permanent: true))
        } catch {
            return .failed(SendFailure(error: "the message cannot be built: \(error)", permanent: true))
        }
        return await transport.deliver(rendered, from: message.from, to: message.to, deliveryID: claimed.delivery.id)
    }

    /// A failure that sending again would only repeat, in words the merchant can act on.
    struct Refusal: Error {
        let reason: String
    }

    func build(_ claimed: ClaimedDelivery) async throws -> EmailMessage {
        let settings = claimed.settings
        let from: Mailbox, to: Mailbox, replyTo: Mailbox?
        do {
            from = try Mailbox(settings.senderEmail ?? defaultSender.address, displayName: settings.senderName ?? claimed.tenant.name)
        } catch { throw Refusal(reason: "the sender address '\(settings.senderEmail ?? defaultSender.address)' is not valid") }
        do { to = try Mailbox(claimed.delivery.recipient) } catch {
            throw Refusal(reason: "the recipient address is not a valid email address")
        }
        do { replyTo = try settings.replyTo.map { try Mailbox($0) } } catch {
            throw Refusal(reason: "the reply-to address '\(settings.replyTo ?? "")' is not valid")
        }
        let composed: ComposedEmail
        do { composed = try await composer.email(for: claimed) } catch { throw Refusal(reason: "the message cannot be written: \(error)") }
        return EmailMessage(
            from: from, to: to, replyTo: replyTo, subject: composed.subject, textBody: composed.text, htmlBody: composed.html,
            extraHeaders: Self.unsubscribeHeaders(url: composed.unsubscribeURL, token: claimed.unsubscribeToken, sender: from))
    }

    /// RFC 2369 and RFC 8058: the https link a mail client calls with a one-click POST, and a
    /// mailto: alternative addressed to the sender with the token in the subject (for clients
    /// that only do mailto; the sending domain must route it to whoever handles unsubscribes).
    static func unsubscribeHeaders(url: String?, token: String?, sender: Mailbox) -> [(name: String, value: String)] {
        guard let url else { return [] }
        var targets = ["<\(url)>"]
        if let token, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            targets.append("<mailto:\(sender.address)?subject=unsubscribe%20\(token)>")
        }
        return [("List-Unsubscribe", targets.joined(separator: ", ")), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    }

    /// `<delivery id@sender domain>`: the same for every attempt at one delivery, so a message
    /// sent again after a crash is recognised as the same one by the receiving side.
    static func messageID(deliveryID: String, sender: Mailbox) -> String {
        let local = deliveryID.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
        return "<\(local.isEmpty ? "delivery" : local)@\(sender.domain)>"
    }
}
