import Foundation

/// The audit log of every change made in the admin and through the API.
public protocol AuditStore: Sendable {
    func recordAudit(_ event: AuditEvent, now: Date) async throws
    /// A tenant's entries, newest first; `before` is the id of the last entry of the previous page.
    func auditEntries(tenantID: Int64, before: Int64?, limit: Int) async throws -> [AuditEntry]
}
