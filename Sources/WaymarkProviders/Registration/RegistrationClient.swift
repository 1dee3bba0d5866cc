import Foundation
import WaymarkCore

/// Registers tracking numbers at one tracking provider, so that it starts pushing updates for
/// them. There is one live implementation per provider; tests point them at a local server.
public protocol RegistrationClient: Sendable {
    /// The provider's name on accounts and jobs, e.g. "aftership".
    var provider: String { get }
    /// The most numbers one `register` call may carry: a batch API's limit, or 1.
    var batchLimit: Int { get }
    /// Registers `jobs` (one tenant's, at most `batchLimit`) with the tenant's key, returning one
    /// result per job in the same order. Throws only `CancellationError`: every other failure,
    /// from a refused key to an unreachable host, is a result for its number.
    func register(_ jobs: [RegistrationJob], apiKey: String) async throws -> [RegistrationResult]
}

extension RegistrationClient {
    /// The same result for every job: a batch refused as a whole.
    func all(_ jobs: [RegistrationJob], _ result: RegistrationResult) -> [RegistrationResult] {
        Array(repeating: result, count: jobs.count)
    }
}

/// A code in a provider's answer, which some send as a number and others as a string.
struct ProviderCode: Decodable, Sendable, Equatable, CustomStringConvertible {
    var description: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            description = String(number)
        } else {
            description = try container.decode(String.self)
        }
    }
}

/// A provider's per-number refusal, in its own words, when it means "already tracked": then the
/// number is registered as far as Waymark is concerned.
func meansAlreadyRegistered(_ text: String?) -> Bool {
    guard let text = text?.lowercased() else { return false }
    return text.contains("already exist") || text.contains("already register") || text.contains("already been registered")
}
