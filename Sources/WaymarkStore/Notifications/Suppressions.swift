import Foundation
import GRDB
import WaymarkCore

/// Addresses a tenant must never message again: hard bounces, SMS opt-outs and shoppers who
/// unsubscribed from everything. Every send checks it, at planning and again at sending.
extension AppDatabase {
    public func suppress(tenantID: Int64, channel: NotificationChannel, address: String, reason: String, now: Date = Date()) async throws {
        try await write { db in try Self.suppress(db, tenantID: tenantID, channel: channel, address: address, reason: reason, now: now) }
    }

    /// Lifts a suppression (an SMS START, or an operator's decision). False when there was none.
    @discardableResult
    public func unsuppress(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM suppression WHERE tenant_id = ? AND channel = ? AND address = ?",
                           arguments: [tenantID, channel.rawValue, address])
            return db.changesCount == 1
        }
    }

    public func isSuppressed(tenantID: Int64, channel: NotificationChannel, address: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM suppression WHERE tenant_id = ? AND channel = ? AND address = ?",
                              arguments: [tenantID, channel.rawValue, address]) ?? false
        }
    }

    static func suppress(_ db: Database, tenantID: Int64, channel: NotificationChannel, address: String, reason: String, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO suppression (tenant_id, channel, address, reason, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, channel, address) DO NOTHING
            """, arguments: [tenantID, channel.rawValue, address, reason, now])
    }
}
