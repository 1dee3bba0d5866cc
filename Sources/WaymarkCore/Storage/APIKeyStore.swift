import Foundation

/// A tenant's API keys, beyond the first one `createTenant` issues.
public protocol APIKeyStore: Sendable {
    /// A new key; its plain text exists only in the answer.
    func createAPIKey(tenantID: Int64, name: String, scope: APIKeyScope, now: Date) async throws -> (key: APIKeySummary, secret: String)
    /// Every key of the tenant, revoked ones too, newest first.
    func apiKeys(tenantID: Int64) async throws -> [APIKeySummary]
    /// Revokes a key at once; false when the tenant has no such live key.
    func revokeAPIKey(tenantID: Int64, id: Int64, now: Date) async throws -> Bool
    /// Notes when keys were last used (kept in memory per request, written in batches).
    func recordAPIKeyUse(_ lastUse: [Int64: Date]) async throws
}
