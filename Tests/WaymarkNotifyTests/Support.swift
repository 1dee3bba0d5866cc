import NIOCore
import Synchronization
import WaymarkNotify

func saveTimeError(_ url: String, policy: OutboundPolicy = .publicInternetOnly) -> OutboundURLError? {
    do {
        _ = try URLCheck(policy: policy).checkAtSaveTime(url)
        return nil
    } catch {
        return error
    }
}

func sendTimeResult(
    _ url: String, resolver: some Resolver, policy: OutboundPolicy = .publicInternetOnly
) async -> Result<VettedDestination, OutboundURLError> {
    do {
        return .success(try await URLCheck(policy: policy).checkAtSendTime(url, resolver: resolver))
    } catch {
        return .failure(error)
    }
}

extension OutboundURLError {
    var refusedCategory: AddressCategory? {
        switch self {
        case .refusedAddress(_, let refusal), .refusedResolvedAddress(_, let refusal): refusal.category
        default: nil
        }
    }
}

/// Answers from a fixed table, the way a hostile DNS zone would; unknown names fail.
struct FakeResolver: Resolver {
    struct UnknownName: Error {}
    var answers: [String: [String]]

    func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        guard let texts = answers[host] else { throw UnknownName() }
        return try texts.map { try SocketAddress(ipAddress: $0, port: port) }
    }
}

/// Answers every name with one address, which the test changes between deliveries.
final class SwitchingResolver: Resolver {
    private let current: Mutex<String>

    init(address: String) { current = Mutex(address) }

    var address: String {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        [try SocketAddress(ipAddress: address, port: port)]
    }
}
