import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkNotify
import WaymarkSigning

/// `POST /hooks/sms/{tenant}`: texts shoppers send back, as the SMS provider forwards them
/// (Twilio's inbound webhook: a signed form POST). The carriers' opt-out words stop every text
/// from this tenant to the number, the opt-in words lift that; each change is confirmed once.
struct SMSReplyController {
    let database: any TenantStore & SubscriptionStore
    let catalog: Catalog
    let configuration: SMSConfiguration?
    let baseURL: String

    static let maxBody = 64 * 1024
    static let signatureHeader = HTTPField.Name("X-Twilio-Signature")!

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.smsHook, .post, use: receive)
    }

    @Sendable func receive(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        guard let slug = context.parameters.get("tenant"), let tenant = try await database.tenant(slug: slug) else {
            throw APIProblem.notFound("tenant")
        }
        guard let configuration else {
            throw APIProblem(status: .notFound, detail: "Inbound SMS is off: this server has no SMS provider (set WAYMARK_SMS_URL).")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxBody) } catch {
            throw APIProblem(status: .contentTooLarge, detail: "The body is larger than \(Self.maxBody) bytes.")
        }
        let fields = FormEncoding.decode(String(buffer: body))
        let url = baseURL + (request.uri.path) + (request.uri.query.map { "?" + $0 } ?? "")
        guard let signature = request.headers[Self.signatureHeader],
              ConstantTime.equals(signature, Self.signature(url: url, fields: fields, authToken: configuration.authToken))
        else {
            throw APIProblem(status: .unauthorized, type: "urn:waymark:problem:unverified-webhook", title: "Unverified webhook",
                             detail: "X-Twilio-Signature is missing or does not match this URL and body signed with the account's auth token.")
        }
        guard let from = fields.first(where: { $0.0 == "From" })?.1, !from.isEmpty else {
            throw APIProblem(status: .badRequest, detail: "The form has no 'From' number.")
        }
        let text = fields.first(where: { $0.0 == "Body" })?.1 ?? ""
        var confirmation: String?
        switch SMSKeyword(text) {
        case .optOut:
            if try await !database.isSuppressed(tenantID: tenant.id, channel: .sms, address: from) {
                try await database.suppress(tenantID: tenant.id, channel: .sms, address: from, reason: "the shopper replied \(text.uppercased().trimmingCharacters(in: .whitespacesAndNewlines))", now: Date())
                confirmation = catalog.text("sms_reply.stopped", tenant.defaultLocale, ["merchant": tenant.name])
            }
        case .optIn:
            if try await database.unsuppress(tenantID: tenant.id, channel: .sms, address: from) {
                confirmation = catalog.text("sms_reply.started", tenant.defaultLocale, ["merchant": tenant.name])
            }
        case nil:
            break
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/xml; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.twiml(confirmation))))
    }

    /// Twilio's signature: HMAC-SHA1 with the auth token over the full URL followed by every
    /// form field's name and value, sorted by name; base64.
    static func signature(url: String, fields: [(String, String)], authToken: String) -> String {
        let text = url + fields.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// The reply TwiML: one message, or none.
    static func twiml(_ message: String?) -> String {
        guard let message else { return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>" }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>\(XMLText.escape(message))</Message></Response>"
    }
}

/// The words carriers and the CTIA treat as "stop texting me" and "start again", matched as the
/// whole message, in any case, ignoring surrounding spaces and a final full stop or exclamation.
enum SMSKeyword: Equatable {
    case optOut
    case optIn

    init?(_ text: String) {
        var word = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        while let last = word.last, ".!".contains(last) { word.removeLast() }
        if Self.optOutWords.contains(word) {
            self = .optOut
        } else if Self.optInWords.contains(word) {
            self = .optIn
        } else {
            return nil
        }
    }

    static let optOutWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]
    static let optInWords: Set<String> = ["START", "UNSTOP"]
}

/// Escaping for XML and HTML text content and double-quoted attributes.
enum XMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
