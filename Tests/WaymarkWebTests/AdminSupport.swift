import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Synchronization
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkStore
@testable import WaymarkWeb

/// The admin's router over the two-merchant `Fixture`, with a clock the test moves, the emails
/// it sends kept, and the page-view counter in reach.
struct AdminFixture {
    let base: Fixture
    let clock: TestClock
    let mail: CapturedMail
    let usage = UsageRecorder()
    /// The DNS the domain page asks: records the test puts in.
    let dns = TXTTable()

    static func make(configure: (inout AppConfig) -> Void = { _ in }) async throws -> AdminFixture {
        AdminFixture(base: try await Fixture.make(configure: configure), clock: TestClock(Fixture.now), mail: CapturedMail())
    }

    var database: AppDatabase { base.database }

    func app() async throws -> some ApplicationProtocol {
        let sender = try Mailbox("waymark@waymark.test")
        let routes = try await buildRoutes(
            config: base.config, database: base.database, logger: base.logs.logger(), metrics: PrometheusCollectorRegistry(),
            mail: .init(transport: mail, sender: sender), usage: usage, domainProof: dns, now: { [clock] in clock.now })
        return Application(responder: routes.buildResponder())
    }

    /// Adds `email` to a tenant with `role`, with the fixture's password.
    func addMember(_ email: String, role: MemberRole, tenant: CreatedTenant) async throws {
        let secret = AdminSecret.make()
        _ = try await database.createInvitation(
            tenantID: tenant.tenant.id, email: email, role: role, invitedBy: 1, secretDigest: AdminSecret.digest(secret), now: Fixture.now)
        let hash = await Passwords.hash(Self.password)
        _ = try await database.acceptInvitation(secretDigest: AdminSecret.digest(secret), passwordHash: hash, now: Fixture.now)
    }

    static let password = "correct horse battery"
}

/// TXT records by name, as a test sets them; a name told to `fail` gets no answer until it is set again.
final class TXTTable: TXTResolver {
    private let records = Mutex<[String: [String]]>([:])
    private let failing = Mutex<Set<String>>([])

    func set(_ name: String, _ texts: [String]) {
        records.withLock { $0[name] = texts }
        _ = failing.withLock { $0.remove(name) }
    }
    func fail(_ name: String) { _ = failing.withLock { $0.insert(name) } }

    func txtRecords(for name: String) async throws -> [String] {
        if failing.withLock({ $0.contains(name) }) { throw DNSError.noAnswer(server: "test") }
        return records.withLock { $0[name] ?? [] }
    }
}

final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ date: Date) { current = Mutex(date) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A mail transport that keeps what it is given.
final class CapturedMail: MailTransport, Sendable {
    let messages = Mutex<[(to: String, text: String)]>([])

    func deliver(_ rendered: [UInt8], from: Mailbox, to: Mailbox, deliveryID: String) async -> SendOutcome {
        let text = String(decoding: rendered, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        messages.withLock { $0.append((to.address, text)) }
        return .delivered(reply: "250 kept")
    }

    /// The first admin link (`/admin/...`) in the last message to `address`.
    func link(to address: String) -> String? {
        guard let text = messages.withLock({ $0.last { $0.to == address }?.text }),
              let start = text.range(of: "https://track.waymark.test/admin/") else { return nil }
        let rest = text[start.lowerBound...]
        return String(rest.prefix { !$0.isWhitespace && $0 != "<" && $0 != "\"" })
    }
}

/// A browser for the admin: keeps cookies, reads the CSRF field of the last page, follows nothing.
struct AdminBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf: String?
    var lastSetCookies: [String] = []

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    @discardableResult
    mutating func get(_ uri: String) async throws -> TestResponse {
        try await send(uri, method: .get, body: nil)
    }

    /// Posts `fields` with the CSRF token of the last page (unless `csrf` says otherwise).
    @discardableResult
    mutating func post(_ uri: String, _ fields: [(String, String)] = [], csrf: String? = nil, withCSRF: Bool = true) async throws -> TestResponse {
        var all = fields
        if withCSRF, let token = csrf ?? self.csrf { all.append(("csrf", token)) }
        return try await send(uri, method: .post, body: formBody(all))
    }

    /// Posts a file as a browser's `multipart/form-data` upload, with the CSRF token.
    @discardableResult
    mutating func upload(_ uri: String, field: String, filename: String, contentType: String, bytes: [UInt8]) async throws -> TestResponse {
        let boundary = "----WaymarkTestBoundary7MA4YWxkTrZu0gW"
        var body: [UInt8] = []
        func text(_ string: String) { body += Array(string.utf8) }
        text("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf ?? "")\r\n")
        text("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n")
        body += bytes
        text("\r\n--\(boundary)--\r\n")
        return try await send(uri, method: .post, body: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private mutating func send(_ uri: String, method: HTTPRequest.Method, body: ByteBuffer?, contentType: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = method == .post ? formHeaders : [:]
        if let contentType { headers[.contentType] = contentType }
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body) { $0 }
        lastSetCookies = response.headers[values: .setCookie]
        for header in lastSetCookies {
            guard let pair = header.split(separator: ";").first else { continue }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]), value = parts.count > 1 ? String(parts[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = Self.csrf(in: response.text) { csrf = token }
        return response
    }

    /// The page's own form's token: the last one (a signed-in layout's forms come first).
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"", options: .backwards) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in; expects success.
    mutating func signIn(_ email: String, password: String = AdminFixture.password) async throws {
        try await get("/admin/login")
        let response = try await post("/admin/login", [("email", email), ("password", password)])
        #expect(response.status == .seeOther, "sign-in of \(email): \(response.status) \(response.text.prefix(300))")
        // A page of the session, for its CSRF token.
        try await get("/admin/sessions")
    }
}
