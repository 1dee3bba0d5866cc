import WaymarkCore
import Foundation
import GRDB

extension AppDatabase {
    public func storedResponse(tenantID: Int64, key: String) async throws -> StoredResponse? {
        try await read { db in
            try IdempotencyKeyRecord.fetchOne(db, sql: "SELECT * FROM idempotency_key WHERE tenant_id = ? AND key = ?", arguments: [tenantID, key])?
                .response
        }
    }

    /// Remembers the first response for a key; a concurrent twin that lost the race keeps its own.
    public func storeResponse(tenantID: Int64, key: String, _ response: StoredResponse, now: Date = Date()) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO idempotency_key (tenant_id, key, request_sha256, response_status, response_body, created_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING
                """, arguments: [tenantID, key, response.requestSHA256, response.status, Data(response.body), now])
        }
    }
}
