import Foundation

/// A notification email with a plain-text and an HTML alternative, rendered to RFC 5322 bytes
/// (CRLF line endings, 7-bit clean, every line within 76 characters) by `rendered(...)`.
public struct EmailMessage: Sendable {
    public var from: Mailbox
    public var to: Mailbox
    public var replyTo: Mailbox?
    public var subject: String
    public var textBody: String
    public var htmlBody: String
    /// Extra headers such as `List-Unsubscribe` and `List-Unsubscribe-Post`, checked by
    /// `rendered(...)`: printable ASCII only, never a header the builder writes itself.
    public var extraHeaders: [(name: String, value: String)]

    public init(
        from: Mailbox, to: Mailbox, replyTo: Mailbox? = nil, subject: String,
        textBody: String, htmlBody: String, extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.extraHeaders = extraHeaders
    }

    private static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "sender", "return-path",
    ]

    /// The message as it goes after SMTP `DATA` (before dot-stuffing, which the client does).
    public func rendered(date: Date = Date(), messageID: String? = nil) throws(EmailMessageError) -> [UInt8] {
        var headers: [String] = [
            "From: \(from.headerValue(headerName: "From"))",
            "To: \(to.headerValue(headerName: "To"))",
        ]
        if let replyTo { headers.append("Reply-To: \(replyTo.headerValue(headerName: "Reply-To"))") }
        headers.append("Subject: \(HeaderText.unstructured(subject, firstLineOffset: 9))")
        headers.append("Date: \(Self.rfc5322Date(date))")
        headers.append("Message-ID: \(messageID ?? Self.newMessageID(domain: from.domain))")
        headers.append("MIME-Version: 1.0")
        for (name, value) in extraHeaders {
            guard !name.isEmpty, name.utf8.count <= 76,
                  name.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != ":" })
            else { throw .invalidHeaderName(name) }
            guard !Self.reservedHeaders.contains(name.lowercased()) else { throw .reservedHeader(name) }
            guard HeaderText.isPlainPrintableASCII(value), name.utf8.count + 2 + value.utf8.count <= 998 else {
                throw .invalidHeaderValue(name: name)
            }
            headers.append("\(name): \(value)")
        }
        let boundary = "=_waymark_\(Self.randomHex(bytes: 12))"
        headers.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")

        var lines = headers
        lines.append("")
        lines.append("This is a multi-part message in MIME format.")
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            lines.append("--\(boundary)")
            lines.append("Content-Type: \(type); charset=UTF-8")
            lines.append("Content-Transfer-Encoding: quoted-printable")
            lines.append("")
            lines.append(QuotedPrintable.encode(body))
        }
        lines.append("--\(boundary)--")
        lines.append("")
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `Fri, 27 Nov 2026 12:14:22 +0000`, computed in UTC without locale-dependent formatters.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = days[((parts.weekday ?? 1) - 1) % 7]
        let month = months[((parts.month ?? 1) - 1) % 12]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(weekday), \(two(parts.day)) \(month) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// `<128 random bits in hex@sender-domain>`.
    static func newMessageID(domain: String) -> String {
        "<\(randomHex(bytes: 16))@\(domain)>"
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
