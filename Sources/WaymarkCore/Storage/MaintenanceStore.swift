import Foundation

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    public var expired = 0
    public var archived = 0
    public var purgedPayloads = 0
    public var purgedIdempotencyKeys = 0

    package init() {

    }
}

/// How long Waymark keeps what it keeps: the sweeps' policy, which `MaintenanceStore` carries out.
public enum Retention {
    /// Shipments with no carrier information this long after creation become `expired`.
    public static let silentShipments: TimeInterval = 30 * 86_400
    /// Raw inbound payloads are kept this long for debugging and replay.
    public static let inboundPayloads: TimeInterval = 30 * 86_400
    /// Idempotency keys are honoured this long.
    public static let idempotencyKeys: TimeInterval = 86_400
    /// Ended sessions, used or expired reset links and invitations are removed this long after.
    public static let spentAccountLinks: TimeInterval = 30 * 86_400
}

/// The hourly sweeps: silent shipments expire, delivered ones are archived after the tenant's
/// retention, old webhook bodies and idempotency keys go, audit entries go after a year
/// (`AuditEntry.retention`), spent sessions and links after `Retention.spentAccountLinks`.
public protocol MaintenanceStore: Sendable {
    func runMaintenance(now: Date, batch: Int) async throws -> MaintenanceReport

    /// Throws `StoreError.storageUnavailable` (or the storage's own error) when the storage
    /// cannot serve: unreadable, not writable, or a file deleted or replaced since it was opened.
    /// `/healthz` asks this, at most once a second.
    func checkStorage() async throws
}
