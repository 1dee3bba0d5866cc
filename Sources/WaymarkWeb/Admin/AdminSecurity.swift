import Foundation
import Hummingbird
import WaymarkCore
import WaymarkSigning

/// The admin's cookies. On an https base URL (or any host but loopback) they carry the
/// `__Host-` prefix and `Secure`, so a browser sends them only over TLS, only to this host, for
/// every path. On plain http on loopback (`serve --demo` on a laptop) browsers would drop such
/// cookies, so they go without prefix and `Secure` there.
struct AdminCookies: Sendable {
    let secure: Bool

    init(baseURL: String) {
        let url = URLComponents(string: baseURL)
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url?.host?.lowercased() ?? "")
        secure = !(url?.scheme?.lowercased() == "http" && loopback)
    }

    /// The session's secret; the database keeps its SHA-256.
    var session: String { secure ? "__Host-waymark_session" : "waymark_session" }
    /// The CSRF token of the forms used before signing in (login, reset, invitation): the form
    /// must post back the value of this cookie.
    var preSession: String { secure ? "__Host-waymark_form" : "waymark_form" }
    /// The admin language picked with `?lang=`.
    var language: String { secure ? "__Host-waymark_lang" : "waymark_lang" }

    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func expired(_ name: String) -> Cookie { cookie(name, "", maxAge: 0) }
}

/// Secrets of the admin: session cookies, CSRF tokens, reset and invitation links. 256 random
/// bits each; only their SHA-256 is stored.
enum AdminSecret {
    static func make() -> String { SecureToken.random(byteCount: 32) }

    static func digest(_ secret: String) -> String {
        Digests.hex(Digests.sha256(Array(secret.utf8)))
    }

    /// Whether `secret` could be one of ours (looked up only then).
    static func isWellFormed(_ secret: String) -> Bool {
        secret.utf8.count == 43 && secret.utf8.allSatisfy { $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }
}

/// A posted admin form (`application/x-www-form-urlencoded`), read once by the admin middleware
/// to check its CSRF field and handed to the route in the request context.
struct AdminForm: Sendable {
    private var fields: [String: String] = [:]
    /// Uploaded files, from a `multipart/form-data` form.
    private var files: [String: MultipartForm.File] = [:]

    init(_ body: String) {
        for (name, value) in FormEncoding.decode(body) { fields[name] = value }
    }

    init(_ multipart: MultipartForm) {
        fields = multipart.fields
        files = multipart.files
    }

    /// The uploaded file of field `name`, if one was chosen.
    func file(_ name: String) -> MultipartForm.File? {
        files[name].flatMap { $0.filename.isEmpty && $0.bytes.isEmpty ? nil : $0 }
    }

    /// The field, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The field exactly as posted (passwords keep their spaces).
    func raw(_ name: String) -> String? { fields[name] }

    /// The CSRF field's name in every admin form.
    static let csrfField = "csrf"
}
