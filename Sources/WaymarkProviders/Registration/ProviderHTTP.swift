import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import WaymarkCore

/// Sends a registration request to a provider and reads the answer. Every outcome is a value:
/// a transport failure becomes a retryable `RegistrationFailure`, so one unreachable provider
/// never stops the queue. Only cancellation (shutdown) is thrown, and then nothing is recorded:
/// the claim's lease runs out and the job is tried again.
public struct ProviderHTTP: Sendable {
    let client: HTTPClient
    /// The deadline for a whole request, connection to last byte; well inside the queue's lease.
    let timeout: TimeAmount
    /// Answers larger than this are cut: a registration answer is a few kilobytes.
    static let maxResponseBytes = 1 << 20

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.client = client
        self.timeout = TimeAmount(timeout)
    }

    /// What came back from a provider.
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: Data
    }

    /// POSTs `body` as JSON to `url`. `provider` names the failure messages.
    func post(_ url: String, provider: String, headers: [(String, String)], body: some Encodable) async throws -> Result<Reply, RegistrationFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Waymark")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            request.body = .bytes(ByteBuffer(bytes: try Self.encoder.encode(body)))
        } catch {
            return .failure(RegistrationFailure("\(provider): could not encode the request (\(error))", permanent: true))
        }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return .success(Reply(status: response.status, headers: response.headers, body: Data(buffer.readableBytesView)))
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            return .failure(RegistrationFailure("\(provider): no answer from the provider (\(Self.describe(error)))", permanent: false))
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .connectTimeout: return "connection timed out"
            default: break
            }
        }
        return String(String(describing: error).prefix(120))
    }
}

extension ProviderHTTP.Reply {
    /// The failure an HTTP status means, or nil for 2xx. 429 and 5xx are retryable (after
    /// `Retry-After` when given); other 4xx are permanent for this number, 401 naming the key.
    /// The provider's own message, when it sent one, says what was wrong; `apiKey` is blanked
    /// out of it in case a provider echoes it.
    func failure(provider: String, apiKey: String, now: Date = Date()) -> RegistrationFailure? {
        let code = Int(status.code)
        guard !(200..<300).contains(code) else { return nil }
        let providerMessage = ProviderErrorMessage.extract(from: body, redacting: apiKey)
        let detail: String? = switch code {
        case 401: "invalid API key"
        case 403: providerMessage ?? "the API key may not register numbers"
        case 429: providerMessage ?? "rate limited"
        default: providerMessage
        }
        let message = "\(provider): \(code) \(status.reasonPhrase)" + (detail.map { " (\($0))" } ?? "")
        let retryable = code == 429 || code >= 500 || code < 400
        return RegistrationFailure(message, permanent: !retryable, retryAfter: retryable ? retryAfter(now: now) : nil)
    }

    /// `Retry-After` as seconds from now.
    func retryAfter(now: Date) -> TimeInterval? {
        RetryAfter.seconds(headers.first(name: "Retry-After"), now: now)
    }

    /// The body decoded as `T`, or nil when it is not that shape.
    func decode<T: Decodable>(_ type: T.Type) -> T? {
        try? JSONDecoder().decode(type, from: body)
    }
}

/// The human part of a provider's error body, whichever of the usual shapes it has:
/// `{meta:{message}}` (AfterShip), `{msg}` (Track123), `{error:{message}}` (EasyPost),
/// `{data:{errors:[{message}]}}` (17TRACK), `{detail}` (Shippo) or `{message}`.
struct ProviderErrorMessage: Decodable {
    var text: String?

    private struct Message: Decodable { var message: String? }
    private struct Errors: Decodable { var errors: [Message]? }
    private enum Keys: String, CodingKey { case meta, msg, message, error, detail, data }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        // Each shape is tried on its own: a key holding another type is simply not this shape.
        let candidates: [String?] = [
            (try? container.decodeIfPresent(Message.self, forKey: .meta))?.message,
            try? container.decodeIfPresent(String.self, forKey: .msg),
            (try? container.decodeIfPresent(Message.self, forKey: .error))?.message,
            try? container.decodeIfPresent(String.self, forKey: .error),
            (try? container.decodeIfPresent(Errors.self, forKey: .data))?.errors?.first?.message,
            try? container.decodeIfPresent(String.self, forKey: .detail),
            try? container.decodeIfPresent(String.self, forKey: .message),
        ]
        text = candidates.lazy.compactMap { $0 }.first
    }

    /// One short line, or nil when the body says nothing readable.
    static func extract(from body: Data, redacting secret: String) -> String? {
        guard let text = (try? JSONDecoder().decode(Self.self, from: body))?.text else { return nil }
        return short(text, redacting: secret)
    }

    /// A provider's text made safe to show: one line, at most 120 characters, without the secret.
    static func short(_ text: String, redacting secret: String) -> String? {
        var line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        if !secret.isEmpty { line = line.replacingOccurrences(of: secret, with: "***") }
        line = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ".")))
        guard !line.isEmpty else { return nil }
        return line.count > 120 ? String(line.prefix(119)) + "…" : line
    }
}
