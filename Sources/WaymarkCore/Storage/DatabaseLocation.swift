import Foundation

/// Where Waymark keeps its data, as `--db` / `WAYMARK_DB` name it: a file path (SQLite, the
/// default) or a `postgres://` / `postgresql://` URL (PostgreSQL, for several nodes on one
/// database).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    public init(_ text: String) throws(DatabaseLocationError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresURL(text))
        } else if lowered.contains("://") {
            throw DatabaseLocationError("'\(PostgresURL.redacting(text))' is neither a file path nor a postgres:// URL; give a SQLite file such as ./waymark.sqlite or postgres://user:password@host:5432/waymark")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Safe to print: a URL's password is never shown.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }
}

/// A PostgreSQL server and database, from a libpq-style URL:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`. The user and password may be
/// percent-encoded; `host=/path/to/socket/dir` in the query connects over a Unix socket.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that Waymark supports, with libpq's meaning.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default), certificate unchecked.
        case prefer
        /// TLS or no connection; the certificate is not checked (libpq's `require`).
        case require
        /// TLS with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    /// A directory holding the server's socket (`?host=/var/run/postgresql`), instead of TCP.
    public var socketDirectory: String?
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(_ text: String) throws(DatabaseLocationError) {
        let shown = Self.redacting(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw DatabaseLocationError("'\(shown)' is not a valid URL; write postgres://user:password@host:5432/database (percent-encode special characters in the password)")
        }
        var socketDirectory: String?
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw DatabaseLocationError("sslmode '\(value)' in '\(shown)' is not supported; use one of \(modes)")
                }
                tls = mode
            case "host" where value.hasPrefix("/"):
                socketDirectory = value
            case "application_name", "connect_timeout":
                continue
            default:
                throw DatabaseLocationError("'\(item.name)' in '\(shown)' is not a setting Waymark reads; it reads sslmode and host (a socket directory)")
            }
        }
        let host = components.host.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 } ?? ""
        guard !host.isEmpty || socketDirectory != nil else {
            throw DatabaseLocationError("'\(shown)' names no host; write postgres://user@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw DatabaseLocationError("'\(shown)' names no user; write postgres://user@host:5432/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw DatabaseLocationError("'\(shown)' names no database; end it with /database, as in postgres://user@host:5432/waymark")
        }
        self.host = host.isEmpty ? "localhost" : host
        self.port = components.port ?? 5432
        self.socketDirectory = socketDirectory
        self.user = user
        self.password = components.password
        self.database = database
        self.tls = tls
    }

    /// The URL with the password replaced by `***`: what logs, errors and `--help` may show.
    public var description: String {
        var text = "postgres://\(Self.encoded(user))\(password == nil ? "" : ":***")@"
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)/\(Self.encoded(database))?sslmode=\(tls.rawValue)"
        if let socketDirectory { text += "&host=\(socketDirectory)" }
        return text
    }

    /// The same server and credentials, another database (tests and `db copy` make their own).
    public func database(_ name: String) -> PostgresURL {
        var url = self
        url.database = name
        return url
    }

    /// `text` with anything between `scheme://user:` and `@` starred out, for error messages
    /// about a URL that could not be parsed.
    public static func redacting(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
            at.lowerBound > schemeEnd.upperBound,
            let colon = text[schemeEnd.upperBound..<at.lowerBound].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at.lowerBound...])
    }

    private static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? text
    }
}

/// A `--db` value that names no usable database, with how to write one.
public struct DatabaseLocationError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
