import Foundation
import WaymarkCore

/// Track123: `POST {base}/gateway/open-api/tk/v2/track/import` with `Track123-Api-Secret`, a
/// batch of `{trackNo, courierCode, orderNo?, customerEmail?, postalCode?}`. The answer lists
/// accepted and rejected numbers; a rejected one is that number's own (permanent) failure.
public struct Track123Registration: RegistrationClient {
    public let provider = "track123"
    /// Track123 documents no batch size for import here (*unconfirmed*); 40 like 17TRACK.
    public let batchLimit = 40
    let baseURL: String
    let http: ProviderHTTP

    /// Waymark carrier codes → Track123 courier codes; an unmapped carrier is left to Track123's detection.
    static let courierCodes = ["ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl"]
    /// Track123's "success" answer code.
    static let success = "00000"

    public init(baseURL: String, http: ProviderHTTP = ProviderHTTP()) {
        self.baseURL = baseURL
        self.http = http
    }

    struct Item: Encodable, Equatable {
        var trackNo: String
        var courierCode: String?
        var orderNo: String?
        var customerEmail: String?
        var postalCode: String?
    }

    struct Answer: Decodable {
        struct Body: Decodable {
            var rejected: [Rejection]?
        }
        struct Rejection: Decodable {
            var index: Int?
            var trackNo: String?
            var error: Reason?
        }
        struct Reason: Decodable {
            var code: ProviderCode?
            var msg: String?
        }
        var code: ProviderCode?
        var msg: String?
        var data: Body?
    }

    static func item(_ job: RegistrationJob) -> Item {
        Item(
            trackNo: job.trackingNumber, courierCode: courierCodes[job.carrier], orderNo: job.orderNumber,
            customerEmail: job.customerEmail, postalCode: job.postalCode)
    }

    public func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult] {
        guard !jobs.isEmpty else { return [] }
        let reply = try await http.post(
            baseURL + "/gateway/open-api/tk/v2/track/import", provider: provider,
            headers: [("Track123-Api-Secret", apiKey)], body: jobs.map(Self.item))
        switch reply {
        case .failure(let failure):
            return all(jobs, .failed(failure))
        case .success(let reply):
            if let failure = reply.failure(provider: provider, apiKey: apiKey) { return all(jobs, .failed(failure)) }
            guard let answer = reply.decode(Answer.self) else { return all(jobs, .registered) }
            if let code = answer.code, code.description != Self.success {
                // A refusal of the whole batch with a code we can't classify: retried, and the
                // shipment shows Track123's words meanwhile.
                let reason = answer.msg.flatMap { ProviderErrorMessage.short($0, redacting: apiKey) }
                let message = "track123: error \(code)" + (reason.map { " (\($0))" } ?? "")
                return all(jobs, .failed(RegistrationFailure(message, permanent: false)))
            }
            var results = all(jobs, .registered)
            for rejection in answer.data?.rejected ?? [] {
                guard let index = Self.position(of: rejection, in: jobs) else { continue }
                let reason = rejection.error?.msg.flatMap { ProviderErrorMessage.short($0, redacting: apiKey) }
                guard !meansAlreadyRegistered(reason) else { continue }
                let code = rejection.error?.code.map { " \($0)" } ?? ""
                let message = "track123: rejected\(code)" + (reason.map { " (\($0))" } ?? "")
                results[index] = .failed(RegistrationFailure(message, permanent: true))
            }
            return results
        }
    }

    /// The job a rejection is about: by its index in the request, checked against the number.
    static func position(of rejection: Answer.Rejection, in jobs: [RegistrationJob]) -> Int? {
        if let index = rejection.index, jobs.indices.contains(index),
           rejection.trackNo == nil || rejection.trackNo == jobs[index].trackingNumber {
            return index
        }
        return rejection.trackNo.flatMap { number in jobs.firstIndex { $0.trackingNumber == number } }
    }
}
