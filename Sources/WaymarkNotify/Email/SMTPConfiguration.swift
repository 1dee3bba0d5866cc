import Foundation
import NIOCore

/// Where and how to reach the SMTP relay, read from `smtp://user:pass@host:port` (STARTTLS when
/// offered) or `smtps://...` (TLS from the first byte). User and password are percent-decoded.
public struct SMTPConfiguration: Sendable {
    /// How the server's certificate is checked.
    public enum CertificateVerification: Sendable, Equatable {
        /// The system trust store and the host name (the default).
        case system
        /// Only certificates issued by the CA in this PEM file, and the host name.
        case trustedCA(pemFile: String)
        /// No check at all: for tests against a self-signed local server only.
        case disabledForTesting
    }

    public enum Security: Sendable, Equatable {
        /// Plain connection, upgraded with STARTTLS when the server offers it.
        case startTLSWhenOffered
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// Refuse to send (and to authenticate) unless the connection is encrypted.
    public var requireTLS: Bool
    public var certificateVerification: CertificateVerification
    /// Send AUTH over an unencrypted connection (a relay on a trusted local network, tests).
    /// Off by default, so a server that does not offer STARTTLS never sees the password.
    public var allowsCredentialsWithoutTLS = false
    /// The name sent in EHLO/HELO.
    public var clientName: String
    public var connectTimeout: TimeAmount
    /// How long to wait for each reply, the greeting included.
    public var commandTimeout: TimeAmount

    public init(
        host: String, port: Int, security: Security = .startTLSWhenOffered,
        username: String? = nil, password: String? = nil, requireTLS: Bool = false,
        certificateVerification: CertificateVerification = .system, clientName: String = "localhost",
        connectTimeout: TimeAmount = .seconds(10), commandTimeout: TimeAmount = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.certificateVerification = certificateVerification
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `smtp://[user[:pass]@]host[:port]` (port 587 by default) or `smtps://...` (465).
    public init(url: String, requireTLS: Bool = false, certificateVerification: CertificateVerification = .system) throws(SMTPError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { throw .invalidURL("expected smtp://user:pass@host:port or smtps://...") }
        let security: Security
        switch scheme {
        case "smtp": security = .startTLSWhenOffered
        case "smtps": security = .implicitTLS
        default: throw .invalidURL("scheme must be smtp or smtps, not \(scheme)")
        }
        let port = components.port ?? (security == .implicitTLS ? 465 : 587)
        guard (1...65535).contains(port) else { throw .invalidURL("port \(port) is out of range") }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if components.percentEncodedUser != nil, user == nil { throw .invalidURL("the user name is not valid percent-encoding") }
        if components.percentEncodedPassword != nil, password == nil { throw .invalidURL("the password is not valid percent-encoding") }
        self.init(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port, security: security,
            username: user, password: password, requireTLS: requireTLS, certificateVerification: certificateVerification
        )
    }
}
