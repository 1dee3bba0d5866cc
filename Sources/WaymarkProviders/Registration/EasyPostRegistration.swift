import Foundation
import WaymarkCore

/// EasyPost: `POST {base}/v2/trackers` with `Authorization: Bearer <key>`, one number per
/// request as `{tracker:{tracking_code, carrier?}}`.
public struct EasyPostRegistration: RegistrationClient {
    public let provider = "easypost"
    public let batchLimit = 1
    let baseURL: String
    let http: ProviderHTTP

    /// Waymark carrier codes → EasyPost carrier names; an unmapped carrier is left to EasyPost's detection.
    static let carriers = ["ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHLExpress"]

    public init(baseURL: String, http: ProviderHTTP = ProviderHTTP()) {
        self.baseURL = baseURL
        self.http = http
    }

    struct Body: Encodable, Equatable {
        struct Tracker: Encodable, Equatable {
            var tracking_code: String
            var carrier: String?
        }
        var tracker: Tracker
    }

    static func body(_ job: RegistrationJob) -> Body {
        Body(tracker: .init(tracking_code: job.trackingNumber, carrier: carriers[job.carrier]))
    }

    public func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult] {
        var results: [RegistrationResult] = []
        for job in jobs {
            let reply = try await http.post(
                baseURL + "/v2/trackers", provider: provider, headers: [("Authorization", "Bearer \(apiKey)")], body: Self.body(job))
            switch reply {
            case .failure(let failure): results.append(.failed(failure))
            case .success(let reply): results.append(reply.failure(provider: provider, apiKey: apiKey).map { .failed($0) } ?? .registered)
            }
        }
        return results
    }
}
