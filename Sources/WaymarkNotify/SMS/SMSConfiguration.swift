import Foundation

/// Where and how to send texts, read from `WAYMARK_SMS_URL`:
/// `https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=+15551234567` — any service that speaks
/// Twilio's Messages API (form POST to `/2010-04-01/Accounts/{sid}/Messages.json`, Basic auth).
/// A path in the URL is kept as a prefix, for gateways mounted below the root.
public struct SMSConfiguration: Sendable, Equatable {
    /// Scheme, host, port and path prefix, without credentials or query.
    public var baseURL: String
    public var accountSID: String
    /// Also the key that signs inbound webhooks (`X-Twilio-Signature`).
    public var authToken: String
    /// The sender when the tenant has set none.
    public var defaultFrom: String?

    public init(baseURL: String, accountSID: String, authToken: String, defaultFrom: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.accountSID = accountSID
        self.authToken = authToken
        self.defaultFrom = defaultFrom
    }

    /// Parses the URL, saying what is wrong with it in words an operator can act on.
    public init(url: String) throws(SMSConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else { throw .invalid("expected https://ACCOUNT_SID:AUTH_TOKEN@host[?from=+15551234567]") }
        guard let sid = components.percentEncodedUser?.removingPercentEncoding, !sid.isEmpty,
              let token = components.percentEncodedPassword?.removingPercentEncoding, !token.isEmpty
        else { throw .invalid("the URL must carry the account SID and auth token as user and password") }
        var base = URLComponents()
        base.scheme = scheme
        base.host = host
        base.port = components.port
        base.percentEncodedPath = components.percentEncodedPath
        guard let baseURL = base.string else { throw .invalid("the host '\(host)' is not valid") }
        let from = components.queryItems?.first { $0.name == "from" }?.value
        self.init(baseURL: baseURL, accountSID: sid, authToken: token, defaultFrom: from?.isEmpty == false ? from : nil)
    }

    /// The Messages endpoint of the account.
    public var messagesURL: String {
        let sid = accountSID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? accountSID
        return "\(baseURL)/2010-04-01/Accounts/\(sid)/Messages.json"
    }
}

/// A `WAYMARK_SMS_URL` that cannot be used.
public enum SMSConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "WAYMARK_SMS_URL is not usable: \(reason)"
        }
    }
}
