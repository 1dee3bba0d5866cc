import Foundation
import WaymarkCore

/// 17TRACK (API v2.2): `POST {base}/track/v2.2/register` with `17token`, batches of at most 40
/// `{number, carrier?}`. The answer lists accepted and rejected numbers; a rejected one is that
/// number's own (permanent) failure, unless 17TRACK already tracks it.
public struct SeventeenTrackRegistration: RegistrationClient {
    public let provider = "17track"
    public let batchLimit = 40
    let baseURL: String
    let http: ProviderHTTP

    /// Waymark carrier codes → 17TRACK's numeric carrier keys; an unmapped carrier is left to 17TRACK's detection.
    static let carrierKeys = ["ups": 100_002, "fedex": 100_003, "dhl": 100_001, "usps": 21_051, "china-post": 3_011]
    /// 17TRACK's error code for a number that is already registered.
    static let alreadyRegistered = "-18019901"

    public init(baseURL: String, http: ProviderHTTP = ProviderHTTP()) {
        self.baseURL = baseURL
        self.http = http
    }

    struct Item: Encodable, Equatable {
        var number: String
        var carrier: Int?
    }

    struct Answer: Decodable {
        struct Body: Decodable {
            var rejected: [Rejection]?
        }
        struct Rejection: Decodable {
            var number: String?
            var error: Reason?
        }
        struct Reason: Decodable {
            var code: ProviderCode?
            var message: String?
        }
        var code: ProviderCode?
        var data: Body?
    }

    static func item(_ job: RegistrationJob) -> Item {
        Item(number: job.trackingNumber, carrier: carrierKeys[job.carrier])
    }

    public func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult] {
        guard !jobs.isEmpty else { return [] }
        let reply = try await http.post(
            baseURL + "/track/v2.2/register", provider: provider, headers: [("17token", apiKey)], body: jobs.map(Self.item))
        switch reply {
        case .failure(let failure):
            return all(jobs, .failed(failure))
        case .success(let reply):
            if let failure = reply.failure(provider: provider, apiKey: apiKey) { return all(jobs, .failed(failure)) }
            guard let answer = reply.decode(Answer.self) else { return all(jobs, .registered) }
            if let code = answer.code, code.description != "0" {
                // The whole batch refused with a code we can't classify: retried, with 17TRACK's words shown.
                let reason = ProviderErrorMessage.extract(from: reply.body, redacting: apiKey)
                let message = "17track: error \(code)" + (reason.map { " (\($0))" } ?? "")
                return all(jobs, .failed(RegistrationFailure(message, permanent: false)))
            }
            var results = all(jobs, .registered)
            for rejection in answer.data?.rejected ?? [] {
                guard let number = rejection.number else { continue }
                let reason = rejection.error?.message.flatMap { ProviderErrorMessage.short($0, redacting: apiKey) }
                let code = rejection.error?.code?.description
                guard code != Self.alreadyRegistered, !meansAlreadyRegistered(reason) else { continue }
                let message = "17track: rejected" + (code.map { " \($0)" } ?? "") + (reason.map { " (\($0))" } ?? "")
                // Every job with that number: a batch never holds one number twice for one tenant,
                // but a number can appear under two carriers.
                for index in jobs.indices where jobs[index].trackingNumber == number {
                    results[index] = .failed(RegistrationFailure(message, permanent: true))
                }
            }
            return results
        }
    }
}
