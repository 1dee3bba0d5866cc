/// A merchant-supplied URL that passed the save-time check: http(s), no userinfo, a host that
/// is either a DNS name or an IP address outside every refused range.
public struct OutboundURL: Sendable, Hashable {
    public enum Host: Sendable, Hashable {
        /// A DNS name, lower-cased, without a trailing dot. Resolved and checked again at send time.
        case name(String)
        /// An IP literal in any spelling, reduced to the address it means.
        case address(IPAddress)
    }

    /// `http` or `https`.
    public let scheme: String
    public let host: Host
    /// The host exactly as written (brackets included), for messages.
    public let hostAsWritten: String
    /// The explicit port, or 80/443 for the scheme.
    public let port: Int
    /// Path and query, `/` when empty; the fragment is dropped (it is never sent).
    public let requestTarget: String
    /// The URL as the merchant wrote it.
    public let original: String
}

/// The save-time parse. Hand-written rather than delegated to a URL type, because SSRF bugs
/// live in the differences between parsers: anything a browser-style parser would read
/// differently from this one (backslashes, percent-encoded hosts, spaces) is refused outright.
enum OutboundURLParser {
    static func parse(_ text: String) throws(OutboundURLError) -> OutboundURL {
        guard !text.isEmpty else { throw .notAbsoluteURL(text) }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw .forbiddenCharacters(text, what: "spaces or control characters")
        }
        guard !text.contains("\\") else {
            throw .forbiddenCharacters(text, what: "a backslash")
        }
        guard let colon = text.firstIndex(of: ":") else { throw .notAbsoluteURL(text) }
        let schemeText = text[..<colon]
        guard let first = schemeText.first, first.isASCII, first.isLetter,
              schemeText.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { throw .notAbsoluteURL(text) }
        let scheme = schemeText.lowercased()
        guard scheme == "http" || scheme == "https" else { throw .unsupportedScheme(scheme) }

        let afterScheme = text[text.index(after: colon)...]
        guard afterScheme.hasPrefix("//") else { throw .notAbsoluteURL(text) }
        let rest = afterScheme.dropFirst(2)
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { throw .userinfoNotAllowed }

        var target = rest[authorityEnd...]
        if let hash = target.firstIndex(of: "#") { target = target[..<hash] }
        var requestTarget = String(target)
        if requestTarget.isEmpty || requestTarget.hasPrefix("?") { requestTarget = "/" + requestTarget }

        let hostText: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost(String(authority)) }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let afterClose = authority[authority.index(after: close)...]
            if afterClose.isEmpty {
                portText = nil
            } else if afterClose.first == ":" {
                portText = afterClose.dropFirst()
            } else {
                throw .invalidHost(String(authority))
            }
        } else if let portColon = authority.firstIndex(of: ":") {
            hostText = authority[..<portColon]
            portText = authority[authority.index(after: portColon)...]
        } else {
            hostText = authority
            portText = nil
        }

        let host = try parseHost(hostText, bracketed: authority.hasPrefix("["))
        let port = try parsePort(portText, scheme: scheme)
        return OutboundURL(
            scheme: scheme, host: host, hostAsWritten: authority.hasPrefix("[") ? "[\(hostText)]" : String(hostText), port: port, requestTarget: requestTarget, original: text)
    }

    private static func parsePort(_ text: Substring?, scheme: String) throws(OutboundURLError) -> Int {
        let defaultPort = scheme == "https" ? 443 : 80
        guard let text, !text.isEmpty else { return defaultPort }
        guard text.count <= 5, text.allSatisfy(\.isASCIIDigit), let port = Int(text), (1...65535).contains(port) else {
            throw .invalidPort(String(text))
        }
        return port
    }

    private static func parseHost(_ text: Substring, bracketed: Bool) throws(OutboundURLError) -> OutboundURL.Host {
        if bracketed {
            guard !text.contains("%") else { throw .invalidHost("[\(text)]") }
            guard let value = IPAddress.parseIPv6(text) else { throw .invalidHost("[\(text)]") }
            return .address(.v6(value))
        }
        guard !text.isEmpty else { throw .missingHost }
        // Percent-encoding in a host is decoded by browser-style parsers (`%31%32%37.0.0.1`), and
        // non-ASCII is mapped by IDNA (full-width digits become digits): refuse both.
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
            throw .invalidHost(String(text))
        }
        var name = text.lowercased()
        switch IPAddress.parseLegacyIPv4(Substring(name)) {
        case .address(let value):
            return .address(.v4(value))
        case .invalid:
            throw .invalidHost(String(text))
        case .name:
            break
        }
        if name.hasSuffix(".") { name.removeLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.count <= 253, labels.allSatisfy({ (1...63).contains($0.count) }) else {
            throw .invalidHost(String(text))
        }
        return .name(name)
    }
}
