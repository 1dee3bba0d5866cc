import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import WaymarkCore

/// Sends texts through a Twilio-compatible Messages API: a form POST with Basic auth, answered
/// with JSON (`sid` on success; `code` and `message` on failure).
public struct TwilioSMSClient: SMSTransport {
    public let configuration: SMSConfiguration
    let client: HTTPClient
    let timeout: TimeAmount

    public init(configuration: SMSConfiguration, client: HTTPClient = .shared, timeout: Duration = .seconds(15)) {
        self.configuration = configuration
        self.client = client
        self.timeout = TimeAmount(timeout)
    }

    public func send(to: String, from: String?, body: String) async -> SMSSendResult {
        guard let sender = from ?? configuration.defaultFrom else {
            return .failed(SendFailure(error: "no SMS sender: set the tenant's SMS sender or add ?from= to WAYMARK_SMS_URL", permanent: false))
        }
        var request = HTTPClientRequest(url: configuration.messagesURL)
        request.method = .POST
        let credentials = Data("\(configuration.accountSID):\(configuration.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Waymark")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode([("To", to), ("From", sender), ("Body", body)])))
        let now = Date()
        do {
            let response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 64 * 1024)
            let reply = try? JSONDecoder().decode(Reply.self, from: Data(buffer.readableBytesView))
            return Self.result(status: Int(response.status.code), reply: reply,
                               retryAfter: RetryAfter.seconds(response.headers.first(name: "Retry-After"), now: now))
        } catch {
            return .failed(SendFailure(error: "the SMS provider did not answer (\(String(String(describing: error).prefix(120))))", permanent: false))
        }
    }

    /// The provider's answer as a result. 429 and 5xx are worth retrying; other 4xx are not,
    /// and those that say the number cannot receive texts suppress it.
    static func result(status: Int, reply: Reply?, retryAfter: TimeInterval?) -> SMSSendResult {
        if (200..<300).contains(status) { return .accepted(httpStatus: status, messageID: reply?.sid) }
        let detail = [reply?.code.map { "error \($0)" }, reply?.message].compactMap { $0 }.joined(separator: ": ")
        let error = "SMS provider answered \(status)" + (detail.isEmpty ? "" : " (\(detail))")
        let retryable = status == 429 || status >= 500 || status == 401 || status == 403
        return .failed(SendFailure(
            error: error, permanent: !retryable, httpStatus: status, retryAfter: retryable ? retryAfter : nil,
            suppressRecipient: reply?.code.map(unreachableNumberCodes.contains) ?? false))
    }

    /// Twilio's codes for a number that must not be texted again: opted out (21610), not a
    /// mobile number (21614), invalid (21211), or unreachable as a landline (21612).
    static let unreachableNumberCodes: Set<Int> = [21211, 21610, 21612, 21614]

    struct Reply: Decodable {
        var sid: String?
        var code: Int?
        var message: String?
    }
}
