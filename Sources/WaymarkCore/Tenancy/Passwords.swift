import Dispatch
import HummingbirdBcrypt

/// The password policy for the people who sign in to a tenant: at least `minimumLength`
/// characters, kept as bcrypt at cost `cost`.
///
/// bcrypt is slow on purpose (a quarter of a second at this cost), so hashing and checking run
/// on a dispatch thread of their own and never hold one of the few executors that serve
/// requests.
public enum Passwords {
    public static let cost: UInt8 = 12
    public static let minimumLength = 10

    public static func hash(_ password: String) async -> String {
        await offExecutors { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await offExecutors { Bcrypt.verify(password, hash: hash) }
    }

    /// The work of checking a password for an account that does not exist, so that how long an
    /// answer takes does not tell which accounts do.
    public static func verifyWithoutAccount(_ password: String) async {
        _ = await offExecutors { Bcrypt.verify(password, hash: equalizerHash) }
    }

    /// Made on first use, on the dispatch thread like every other hash.
    private static let equalizerHash = Bcrypt.hash("waymark-timing-equalizer", cost: cost)

    private static func offExecutors<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
