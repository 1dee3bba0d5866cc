import Foundation
import Logging

/// Hands one text to whatever delivers it: the provider's API, or the log when none is set.
public protocol SMSTransport: Sendable {
    func send(to: String, from: String?, body: String) async -> SMSSendResult
}

/// What the SMS provider answered.
public enum SMSSendResult: Sendable, Equatable {
    /// Accepted, with the provider's message id.
    case accepted(httpStatus: Int, messageID: String?)
    case failed(SendFailure)
}

/// With no SMS provider set, texts go to the log so a demo or a developer sees them. The
/// number is partly masked: logs are read by more people than the merchant's shoppers trust.
public struct LogSMSTransport: SMSTransport {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(to: String, from: String?, body: String) async -> SMSSendResult {
        logger.info("SMS (no WAYMARK_SMS_URL set, not sent)", metadata: ["to": "\(Self.mask(to))", "body": "\(body)"])
        return .accepted(httpStatus: 200, messageID: nil)
    }

    /// `+4915112345678` → `+49151•••678`.
    static func mask(_ number: String) -> String {
        guard number.count > 8 else { return String(repeating: "•", count: number.count) }
        return String(number.prefix(6)) + "•••" + String(number.suffix(3))
    }
}
