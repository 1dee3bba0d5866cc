import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// The tenant at `slug` and its account at `provider`, in one read: what an inbound webhook
    /// needs before it can be verified. Nil when there is no such tenant.
    public func tenantAndProviderAccount(slug: String, provider: String) async throws -> (Tenant, ProviderAccount?)? {
        try await read { db in
            guard let tenant = try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE slug = ?", slug) else { return nil }
            return (tenant, try Self.providerAccount(db, tenantID: tenant.id, provider: provider))
        }
    }

    public func providerAccounts(tenantID: Int64) async throws -> [ProviderAccount] {
        try await read { db in
            try ProviderAccountRecord.fetchAll(db, sql: "SELECT * FROM provider_account WHERE tenant_id = ? ORDER BY provider", arguments: [tenantID])
                .map(\.account)
        }
    }

    /// Creates or changes a provider account; nil arguments leave that setting as it is.
    public func setProviderAccount(
        tenantID: Int64, provider: String, secret: String?, apiKey: String?, register: Bool?, now: Date = Date()
    ) async throws -> ProviderAccount {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO provider_account (tenant_id, provider, secret, api_key, register, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, provider) DO UPDATE SET
                    secret = coalesce(excluded.secret, secret), api_key = coalesce(excluded.api_key, api_key),
                    register = CASE WHEN ? IS NULL THEN register ELSE excluded.register END, updated_at = excluded.updated_at
                """, arguments: [tenantID, provider, secret, apiKey, register ?? false, now, now, register])
            guard let account = try Self.providerAccount(db, tenantID: tenantID, provider: provider) else { throw StoreError.tenantNotFound("\(tenantID)") }
            return account
        }
    }

    public func providerActivity(tenantID: Int64) async throws -> [ProviderActivity] {
        try await read { db in
            try ProviderActivityRecord.fetchAll(db, sql: "SELECT * FROM provider_activity WHERE tenant_id = ? ORDER BY provider", arguments: [tenantID])
                .map(\.activity)
        }
    }

    public func recordRefusedHook(tenantID: Int64, provider: String, reason: String, now: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO provider_activity (tenant_id, provider, last_refused_at, last_refusal) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id, provider) DO UPDATE SET last_refused_at = excluded.last_refused_at, last_refusal = excluded.last_refusal
                """, arguments: [tenantID, provider, now, String(reason.prefix(500))])
        }
    }

    /// Notes, inside the ingest's transaction, that a provider's webhook was accepted.
    static func recordEventReceived(_ db: Database, tenantID: Int64, provider: String, now: Date) throws {
        try db.cachedStatement(sql: """
            INSERT INTO provider_activity (tenant_id, provider, last_event_at) VALUES (?, ?, ?)
            ON CONFLICT (tenant_id, provider) DO UPDATE SET last_event_at = excluded.last_event_at
            """).execute(arguments: [tenantID, provider, now])
    }

    /// Notes, inside the registration's transaction, what a provider answered when it refused a number.
    static func recordRegistrationError(_ db: Database, tenantID: Int64, provider: String, error: String, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO provider_activity (tenant_id, provider, last_registration_error_at, last_registration_error) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, provider) DO UPDATE SET last_registration_error_at = excluded.last_registration_error_at,
                last_registration_error = excluded.last_registration_error
            """, arguments: [tenantID, provider, now, String(error.prefix(500))])
    }

    public func ingestSettings(tenantID: Int64) async throws -> IngestSettings {
        try await read { db in try Self.ingestSettings(db, tenantID: tenantID) }
    }

    public func setIngestSettings(tenantID: Int64, autoCreateShipments: Bool? = nil, deliveredRetentionDays: Int? = nil) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE tenant SET auto_create_shipments = coalesce(?, auto_create_shipments),
                    delivered_retention_days = coalesce(?, delivered_retention_days) WHERE id = ?
                """, arguments: [autoCreateShipments, deliveredRetentionDays, tenantID])
        }
    }

    static func providerAccount(_ db: Database, tenantID: Int64, provider: String) throws -> ProviderAccount? {
        try ProviderAccountRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM provider_account WHERE tenant_id = ? AND provider = ?"), arguments: [tenantID, provider]
        )?.account
    }

    static func ingestSettings(_ db: Database, tenantID: Int64) throws -> IngestSettings {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT auto_create_shipments, delivered_retention_days FROM tenant WHERE id = ?"), arguments: [tenantID])
        else {
            throw StoreError.tenantNotFound("\(tenantID)")
        }
        // Two columns, not the whole row: every provider webhook reads them.
        return IngestSettings(
            autoCreateShipments: try TenantRecord.value(TenantRecord.Columns.autoCreateShipments, in: row, id: tenantID),
            deliveredRetentionDays: try TenantRecord.value(TenantRecord.Columns.deliveredRetentionDays, in: row, id: tenantID))
    }
}
