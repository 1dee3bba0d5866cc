import Foundation

/// What a merchant's HTTP answer means for a webhook delivery, by the Standard Webhooks rules:
/// any 2xx is a success, 410 Gone stops the endpoint, and every other answer — 3xx included,
/// since redirects are never followed — is a failure that is retried.
enum WebhookAnswer {
    static func outcome(status: Int, retryAfter: Double?, body: String) -> SendOutcome {
        switch status {
        case 200..<300:
            return .delivered(httpStatus: status, reply: answer(body))
        case 410:
            return .failed(SendFailure(
                error: "HTTP 410 Gone", permanent: true, httpStatus: status,
                disableEndpoint: "the endpoint answered 410 Gone, which asks senders to stop"))
        case 300..<400:
            return .failed(SendFailure(
                error: "HTTP \(status): redirects are not followed; point the endpoint at the final URL", permanent: false,
                httpStatus: status))
        default:
            return .failed(SendFailure(error: "HTTP \(status)\(excerpt(body))", permanent: false, httpStatus: status, retryAfter: retryAfter))
        }
    }

    /// The start of the receiver's answer as the attempt's reply (shown in the admin), or nil.
    private static func answer(_ body: String) -> String? {
        let text = body.prefix(1_000).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The start of the receiver's body, for the attempts log: merchants debug with it.
    private static func excerpt(_ body: String) -> String {
        let line = body.prefix(200).map { $0.isNewline ? " " : $0 }
        let text = String(line).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "" : ": \(text)"
    }
}
