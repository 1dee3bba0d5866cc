import Foundation

/// What a tracking provider last did for a tenant, for the providers page: the last webhook
/// accepted, the last one refused and why, the last registration that failed and why.
public struct ProviderActivity: Sendable, Equatable {
    public struct Problem: Sendable, Equatable {
        public var at: Date
        public var reason: String

        public init(at: Date, reason: String) {
            self.at = at
            self.reason = reason
        }
    }

    public var provider: String
    public var lastEventAt: Date?
    public var lastRefusal: Problem?
    public var lastRegistrationError: Problem?

    public init(provider: String, lastEventAt: Date? = nil, lastRefusal: Problem? = nil, lastRegistrationError: Problem? = nil) {
        self.provider = provider
        self.lastEventAt = lastEventAt
        self.lastRefusal = lastRefusal
        self.lastRegistrationError = lastRegistrationError
    }
}
