import Foundation
import Testing
@testable import WaymarkNotify

@Suite struct EmailMessageTests {
    private func lines(of message: EmailMessage) throws -> [String] {
        let bytes = try message.rendered(date: Date(timeIntervalSince1970: 1_795_000_000))
        return String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    }

    private func headerBlock(_ lines: [String]) -> [String] {
        Array(lines.prefix { !$0.isEmpty })
    }

    @Test func injectionInNameAndSubjectStaysOneHeader() throws {
        let message = EmailMessage(
            from: try Mailbox("shop@example.com", displayName: "Shop\r\nBcc: evil@example.com"),
            to: try Mailbox("buyer@example.org"),
            subject: "Hi\r\nBcc: evil@example.com", textBody: "t", htmlBody: "<p>h</p>"
        )
        let headers = headerBlock(try lines(of: message))
        #expect(!headers.contains { $0.lowercased().hasPrefix("bcc") })
        #expect(headers.allSatisfy { !$0.contains("\r") && !$0.contains("\n") })
        #expect(headers.contains("Subject: Hi  Bcc: evil@example.com"))
    }

    @Test(arguments: ["a@b.com\r\nRCPT TO:<x@y.com>", "Name <a@b.com>", "a@b.com, c@d.com", "no-at", "a@@b.com", "a@b", "", "a b@c.com", "zoë@example.com"])
    func invalidAddressesAreRefused(_ address: String) {
        #expect(throws: EmailMessageError.invalidAddress(address)) { try Mailbox(address) }
    }

    @Test func extraHeadersAreCheckedAndKept() throws {
        var message = EmailMessage(
            from: try Mailbox("shop@example.com"), to: try Mailbox("buyer@example.org"),
            subject: "s", textBody: "t", htmlBody: "h",
            extraHeaders: [("List-Unsubscribe", "<https://example.com/u/abc>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
        )
        let headers = headerBlock(try lines(of: message))
        #expect(headers.contains("List-Unsubscribe: <https://example.com/u/abc>"))
        #expect(headers.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))

        message.extraHeaders = [("X-Tag", "a\r\nBcc: evil@example.com")]
        #expect(throws: EmailMessageError.invalidHeaderValue(name: "X-Tag")) { try message.rendered() }
        message.extraHeaders = [("X-Tag:\r\nBcc", "a")]
        #expect(throws: EmailMessageError.invalidHeaderName("X-Tag:\r\nBcc")) { try message.rendered() }
        message.extraHeaders = [("bcc", "evil@example.com")]
        #expect(throws: EmailMessageError.reservedHeader("bcc")) { try message.rendered() }
    }

    @Test func longUTF8SubjectIsEncodedAndFolded() throws {
        let subject = String(repeating: "Ihre Sendung ist unterwegs — größer als üblich 📦 ", count: 4)
        let message = EmailMessage(
            from: try Mailbox("shop@example.com", displayName: "Bäckerei Müller & Söhne"),
            to: try Mailbox("buyer@example.org", displayName: "Zoë"),
            subject: subject, textBody: String(repeating: "ä", count: 500) + "\n.\n", htmlBody: "<p>ß</p>"
        )
        let all = try lines(of: message)
        #expect(all.allSatisfy { $0.utf8.count <= 76 })
        #expect(all.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value < 0x80 } })
        #expect(all.contains { $0.hasPrefix("Subject: =?UTF-8?B?") })
        #expect(all.contains("Date: \(EmailMessage.rfc5322Date(Date(timeIntervalSince1970: 1_795_000_000)))"))
        #expect(EmailMessage.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(all.contains { $0.hasPrefix("Message-ID: <") && $0.hasSuffix("@example.com>") })
    }

    @Test func dotStuffingDoublesLeadingDotsAndTerminates() {
        let stuffed = DotStuffing.dataSection(Array("a\r\n.\r\n..b\n.c".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..\r\n...b\r\n..c\r\n.\r\n")
    }

    @Test func configurationFromURL() throws {
        let config = try SMTPConfiguration(url: "smtps://me%40shop.com:p%3Ass%20w@mail.example.com")
        #expect(config.host == "mail.example.com")
        #expect(config.port == 465)
        #expect(config.security == .implicitTLS)
        #expect(config.username == "me@shop.com")
        #expect(config.password == "p:ss w")
        let plain = try SMTPConfiguration(url: "smtp://relay:2525", requireTLS: true)
        #expect(plain.port == 2525 && plain.security == .startTLSWhenOffered && plain.requireTLS && plain.username == nil)
        #expect(throws: SMTPError.self) { try SMTPConfiguration(url: "http://relay") }
    }
}
