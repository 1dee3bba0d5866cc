import Foundation
import WaymarkCore

/// AfterShip (Tracking API 2026-07): `POST {base}/tracking/2026-07/trackings` with `as-api-key`,
/// one number per request as `{tracking_number, slug?, order_number?, emails?}`. A number
/// AfterShip already tracks (409, or "already exists") is registered.
public struct AfterShipRegistration: RegistrationClient {
    public let provider = "aftership"
    public let batchLimit = 1
    let baseURL: String
    let http: ProviderHTTP

    /// Waymark carrier codes → AfterShip slugs; an unmapped carrier is left to AfterShip's detection.
    static let slugs = ["ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl"]
    /// AfterShip's `meta.code` for "Tracking already exists."
    static let alreadyExists = "4003"

    public init(baseURL: String, http: ProviderHTTP = ProviderHTTP()) {
        self.baseURL = baseURL
        self.http = http
    }

    struct Body: Encodable, Equatable {
        var tracking_number: String
        var slug: String?
        var order_number: String?
        var emails: [String]?
    }

    private struct Answer: Decodable {
        struct Meta: Decodable {
            var code: ProviderCode?
            var message: String?
        }
        var meta: Meta?
    }

    static func body(_ job: RegistrationJob) -> Body {
        Body(tracking_number: job.trackingNumber, slug: slugs[job.carrier], order_number: job.orderNumber, emails: job.customerEmail.map { [$0] })
    }

    public func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult] {
        var results: [RegistrationResult] = []
        for job in jobs {
            let reply = try await http.post(
                baseURL + "/tracking/2026-07/trackings", provider: provider, headers: [("as-api-key", apiKey)], body: Self.body(job))
            switch reply {
            case .failure(let failure):
                results.append(.failed(failure))
            case .success(let reply):
                if reply.status.code == 409 || Self.isDuplicate(reply) {
                    results.append(.registered)
                } else if let failure = reply.failure(provider: provider, apiKey: apiKey) {
                    results.append(.failed(failure))
                } else {
                    results.append(.registered)
                }
            }
        }
        return results
    }

    private static func isDuplicate(_ reply: ProviderHTTP.Reply) -> Bool {
        guard (400..<500).contains(reply.status.code), let meta = reply.decode(Answer.self)?.meta else { return false }
        return meta.code?.description == alreadyExists || meansAlreadyRegistered(meta.message)
    }
}
