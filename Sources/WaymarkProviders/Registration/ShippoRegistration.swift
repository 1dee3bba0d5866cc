import Foundation
import WaymarkCore

/// Shippo: `POST {base}/tracks` with `Authorization: ShippoToken <token>`, one number per
/// request as `{carrier, tracking_number}`. Shippo needs the carrier, so a shipment whose
/// carrier has no Shippo name fails at once, without a request, saying so.
public struct ShippoRegistration: RegistrationClient {
    public let provider = "shippo"
    public let batchLimit = 1
    let baseURL: String
    let http: ProviderHTTP

    /// Waymark carrier codes → Shippo carrier tokens.
    static let carriers = ["ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl_express"]

    public init(baseURL: String, http: ProviderHTTP = ProviderHTTP()) {
        self.baseURL = baseURL
        self.http = http
    }

    struct Body: Encodable, Equatable {
        var carrier: String
        var tracking_number: String
    }

    public func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult] {
        var results: [RegistrationResult] = []
        for job in jobs {
            guard let carrier = Self.carriers[job.carrier] else {
                let message = "shippo: carrier '\(job.carrier)' has no Shippo name; Shippo registers only \(Self.carriers.keys.sorted().joined(separator: ", "))"
                results.append(.failed(RegistrationFailure(message, permanent: true)))
                continue
            }
            let reply = try await http.post(
                baseURL + "/tracks", provider: provider, headers: [("Authorization", "ShippoToken \(apiKey)")],
                body: Body(carrier: carrier, tracking_number: job.trackingNumber))
            switch reply {
            case .failure(let failure): results.append(.failed(failure))
            case .success(let reply): results.append(reply.failure(provider: provider, apiKey: apiKey).map { .failed($0) } ?? .registered)
            }
        }
        return results
    }
}
