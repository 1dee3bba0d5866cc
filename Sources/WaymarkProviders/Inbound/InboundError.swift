/// Why an inbound webhook was refused. Each case carries a sentence saying exactly what is wrong,
/// fit for the response body: the first three and `notConfigured` answer 401, `malformed` 400.
public enum InboundError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A header or query parameter that carries the signature is absent.
    case missingSignature(String)
    /// The signature is present but does not match the request.
    case badSignature(String)
    /// The signed timestamp is outside the tolerance window: a replay or a wrong clock.
    case staleTimestamp(String)
    /// The tenant has not set the credential needed to check this provider's requests.
    case notConfigured(String)
    /// The body is not the provider's documented shape.
    case malformed(String)

    public var message: String {
        switch self {
        case .missingSignature(let text), .badSignature(let text), .staleTimestamp(let text), .notConfigured(let text), .malformed(let text):
            text
        }
    }

    public var description: String { message }
}
