import Foundation

/// One mailbox: an address and an optional display name, validated so it can never smuggle a
/// second address, header or SMTP command into a message or envelope.
public struct Mailbox: Sendable, Hashable {
    public let address: String
    public let displayName: String?

    /// Refuses anything but exactly one plain ASCII `local@domain` address (SMTPUTF8 is not
    /// negotiated, so no UTF-8 addresses): no control characters,
    /// spaces, angle brackets, commas or quotes, one `@`, non-empty parts, at most 254 bytes.
    /// Control characters in the display name are replaced by spaces (a name is free text; a
    /// line break in it must never start a new header).
    public init(_ address: String, displayName: String? = nil) throws(EmailMessageError) {
        let forbidden: Set<Character> = ["<", ">", ",", ";", "\"", "(", ")", "[", "]", "\\", " "]
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard address.utf8.count <= 254,
              parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              address.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }),
              !address.contains(where: { forbidden.contains($0) }),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), parts[1].contains(".") || parts[1] == "localhost"
        else { throw .invalidAddress(address) }
        self.address = address
        let cleanedName = displayName.map(HeaderText.replacingControlCharacters)?
            .trimmingCharacters(in: .whitespaces)
        self.displayName = (cleanedName?.isEmpty ?? true) ? nil : cleanedName
    }

    /// The part after `@`, used for the Message-ID.
    public var domain: String { String(address.split(separator: "@").last ?? "") }

    /// `Name <local@domain>`, with the name quoted or RFC 2047-encoded as needed; `headerName`
    /// is the name of the header it goes into, so the first folded line stays within 76.
    func headerValue(headerName: String) -> String {
        guard let displayName else { return "<\(address)>" }
        let prefixLength = headerName.utf8.count + 2
        let name = HeaderText.encodedPhrase(displayName, firstLineOffset: prefixLength)
        let candidate = "\(name) <\(address)>"
        let lastLine = candidate.components(separatedBy: "\r\n").last ?? candidate
        return lastLine.utf8.count + (candidate.contains("\r\n") ? 0 : prefixLength) > 76
            ? "\(name)\r\n <\(address)>" : candidate
    }
}
