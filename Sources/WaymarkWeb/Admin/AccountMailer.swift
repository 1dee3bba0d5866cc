import Foundation
import Logging
import WaymarkCore
import WaymarkNotify

/// Emails to the people who use the admin (password reset links, invitations), through the
/// same transport as shopper messages, in the admin language of the request that caused them.
struct AccountMailer: Sendable {
    let transport: any MailTransport
    let sender: Mailbox
    let catalog: Catalog
    let logger: Logger

    enum Message: Sendable {
        case passwordReset(link: String)
        case invitation(link: String, tenant: String, role: String)

        var key: String {
            switch self {
            case .passwordReset: "mail_reset"
            case .invitation: "mail_invitation"
            }
        }

        var values: [String: String] {
            switch self {
            case .passwordReset(let link): ["link": link, "minutes": String(Int(PasswordReset.lifetime / 60))]
            case .invitation(let link, let tenant, let role): ["link": link, "merchant": tenant, "role": role, "days": String(Int(Invitation.lifetime / 86_400))]
            }
        }

        var link: String {
            switch self {
            case .passwordReset(let link), .invitation(let link, _, _): link
            }
        }
    }

    func send(_ message: Message, to address: String, language: String) async {
        let subject = catalog.text("admin.\(message.key)_subject", language, message.values)
        let text = catalog.text("admin.\(message.key)_body", language, message.values)
        let html = "<p>" + XMLText.escape(text).replacingOccurrences(of: "\n\n", with: "</p><p>")
            .replacingOccurrences(of: XMLText.escape(message.link), with: "<a href=\"\(XMLText.escape(message.link))\">\(XMLText.escape(message.link))</a>") + "</p>"
        do {
            let email = EmailMessage(from: sender, to: try Mailbox(address), subject: subject, textBody: text + "\n", htmlBody: html)
            let outcome = await transport.deliver(try email.rendered(), from: sender, to: try Mailbox(address), deliveryID: "account-\(SecureToken.random(byteCount: 9))")
            if case .delivered = outcome { return }
            logger.warning("account email not sent", metadata: ["kind": .string(message.key), "outcome": .string("\(outcome)")])
        } catch {
            logger.warning("account email not sent", metadata: ["kind": .string(message.key), "error": .string("\(error)")])
        }
    }

    /// A shopper email as the template editor wrote it, to the person who asked; "[Test]" in
    /// the subject. True when the transport took it.
    func sendTest(_ email: ComposedEmail, to address: String) async -> Bool {
        do {
            let message = EmailMessage(from: sender, to: try Mailbox(address), subject: "[Test] " + email.subject, textBody: email.text, htmlBody: email.html)
            let outcome = await transport.deliver(try message.rendered(), from: sender, to: try Mailbox(address), deliveryID: "test-\(SecureToken.random(byteCount: 9))")
            if case .delivered = outcome { return true }
            logger.warning("test email not sent", metadata: ["outcome": .string("\(outcome)")])
        } catch {
            logger.warning("test email not sent", metadata: ["error": .string("\(error)")])
        }
        return false
    }
}
