import Foundation
import Synchronization

/// Tells whoever listens in this process (the dispatcher) that deliveries were just committed,
/// so they go out now rather than at the next poll. Polling still finds anything written by
/// another process; this only saves the wait.
public final class OutboxSignal: Sendable {
    private let observers = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public func observe(_ action: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(action) }
    }

    package func fire() {
        for action in observers.withLock({ $0 }) { action() }
    }
}
