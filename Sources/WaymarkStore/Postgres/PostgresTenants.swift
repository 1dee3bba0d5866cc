import Foundation
import PostgresNIO
import WaymarkCore

// Tenants, their domains, logos, API-key sign-in and provider accounts on PostgreSQL: the same
// promises as `Tenants.swift` and `ProviderAccounts.swift` for SQLite.

extension PostgresStore: TenantStore {
    public func createTenant(_ new: NewTenant, now: Date) async throws -> CreatedTenant {
        try await changingSettings {
            guard new.ownerPassword.count >= Passwords.minimumLength else {
                throw ValidationError("owner password must be at least \(Passwords.minimumLength) characters")
            }
            let passwordHash = await Passwords.hash(new.ownerPassword)
            let apiKey = APIKeySecret.generate()
            let branding = try JSONText.encode(new.branding)
            do {
                let tenant = try await transaction { c -> Tenant in
                    if try await c.run("SELECT 1 FROM tenant WHERE slug = \(new.slug.value)").value(Int32.self) != nil {
                        throw StoreError.slugTaken(new.slug.value)
                    }
                    let tenantID = try await c.run("""
                        INSERT INTO tenant (slug, name, branding, default_locale, time_zone, created_at, updated_at)
                        VALUES (\(new.slug.value), \(new.name), \(branding), \(new.defaultLocale), \(new.timeZone), \(now), \(now)) RETURNING id
                        """).required(Int64.self)
                    var userID = try await c.run(#"SELECT id FROM "user" WHERE lower(email) = lower(\#(new.ownerEmail.value))"#).value(Int64.self)
                    if userID == nil {
                        userID = try await c.run(UserRecord(id: nil, email: new.ownerEmail.value, passwordHash: passwordHash, createdAt: now)
                            .postgresInsert("RETURNING id")).value(Int64.self)
                    }
                    guard let userID else { throw StoreError.storageUnavailable("PostgreSQL returned no id for a new user") }
                    try await c.run(MembershipRecord(tenantID: tenantID, userID: userID, role: .owner, createdAt: now).postgresInsert())
                    try await c.run(APIKeyRecord(tenantID: tenantID, name: "Default key", secret: apiKey, scope: .readWrite, now: now).postgresInsert())
                    return try await Self.tenant(c, "SELECT * FROM tenant WHERE id = \(tenantID)")
                }
                return CreatedTenant(tenant: tenant, apiKey: apiKey)
            } catch where Self.isUniqueViolation(error, constraint: "tenant_slug_key") {
                // Another node made the same slug between the check and the insert.
                throw StoreError.slugTaken(new.slug.value)
            }
        }
    }

    public func tenant(slug: String) async throws -> Tenant? {
        try await run { c in try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE slug = \(slug)") }
    }

    public func tenants() async throws -> [Tenant] {
        try await run { c in try await c.run("SELECT * FROM tenant ORDER BY slug").records(TenantRecord.self).map { try $0.tenant() } }
    }

    public func tenant(id: Int64) async throws -> Tenant? {
        try await run { c in try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE id = \(id)") }
    }

    public func tenant(customDomain host: String) async throws -> Tenant? {
        try await run { c in try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE lower(custom_domain) = lower(\(host))") }
    }

    public func setCustomDomain(tenantID: Int64, domain: String?, now: Date) async throws -> Tenant {
        try await changingSettings {
            return try await domainWrite(domain ?? "") { c in
                if let domain { try await Self.refuseDomainOfAnother(c, domain: domain, tenantID: tenantID) }
                try await c.run("UPDATE tenant SET custom_domain = \(domain?.lowercased()), updated_at = \(now) WHERE id = \(tenantID)")
                if domain == nil { try await c.run("DELETE FROM domain_claim WHERE tenant_id = \(tenantID)") }
                return try await Self.tenant(c, "SELECT * FROM tenant WHERE id = \(tenantID)")
            }
        }
    }

    public func domainClaim(tenantID: Int64) async throws -> DomainClaim? {
        try await run { c in try await c.run("SELECT * FROM domain_claim WHERE tenant_id = \(tenantID)").record(DomainClaimRecord.self)?.claim }
    }

    public func claimDomain(tenantID: Int64, domain: String, token: String, now: Date) async throws -> DomainClaim {
        try await transaction { c in
            try await Self.refuseDomainOfAnother(c, domain: domain, tenantID: tenantID)
            try await c.run("""
                INSERT INTO domain_claim (tenant_id, domain, token, created_at) VALUES (\(tenantID), \(domain.lowercased()), \(token), \(now))
                ON CONFLICT (tenant_id) DO UPDATE SET domain = excluded.domain, token = excluded.token, created_at = excluded.created_at,
                    checked_at = NULL, problem = NULL
                """)
            return DomainClaim(domain: domain.lowercased(), token: token, createdAt: now)
        }
    }

    public func recordDomainCheck(tenantID: Int64, problem: String?, now: Date) async throws -> Tenant? {
        try await changingSettings {
            let claimed = try await domainClaim(tenantID: tenantID)?.domain ?? ""
            return try await domainWrite(claimed) { c -> Tenant? in
                guard let claim = try await c.run("SELECT * FROM domain_claim WHERE tenant_id = \(tenantID) FOR UPDATE").record(DomainClaimRecord.self)
                else { return nil }
                if let problem {
                    try await c.run("UPDATE domain_claim SET checked_at = \(now), problem = \(String(problem.prefix(500))) WHERE tenant_id = \(tenantID)")
                } else {
                    try await Self.refuseDomainOfAnother(c, domain: claim.domain, tenantID: tenantID)
                    try await c.run("UPDATE tenant SET custom_domain = \(claim.domain), updated_at = \(now) WHERE id = \(tenantID)")
                    try await c.run("DELETE FROM domain_claim WHERE tenant_id = \(tenantID)")
                }
                return try await Self.tenant(c, "SELECT * FROM tenant WHERE id = \(tenantID)")
            }
        }
    }

    /// A write that may give a tenant `domain`: another node giving it away at the same moment
    /// is `domainTaken`, as the check inside finds it when they come one after the other.
    private func domainWrite<T: Sendable>(_ domain: String, _ work: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await transaction(work)
        } catch where Self.isUniqueViolation(error, constraint: "tenant_custom_domain") {
            throw StoreError.domainTaken(domain)
        }
    }

    private static func refuseDomainOfAnother(_ c: PostgresConnection, domain: String, tenantID: Int64) async throws {
        if let owner = try await c.run("SELECT id FROM tenant WHERE lower(custom_domain) = lower(\(domain))").value(Int64.self), owner != tenantID {
            throw StoreError.domainTaken(domain)
        }
    }

    public func updateBranding(tenantID: Int64, _ branding: Branding, now: Date) async throws {
        try await changingSettings {
            let json = try JSONText.encode(branding)
            try await run { c in try await c.run("UPDATE tenant SET branding = \(json), updated_at = \(now) WHERE id = \(tenantID)") }
        }
    }

    public func setLogo(tenantID: Int64, _ logo: StoredLogo, now: Date) async throws {
        try await changingSettings {
            try await transaction { c in
                try await c.run("""
                    INSERT INTO tenant_logo (tenant_id, file, content_type, bytes, updated_at)
                    VALUES (\(tenantID), \(logo.file), \(logo.contentType), \(Data(logo.bytes)), \(now))
                    ON CONFLICT (tenant_id) DO UPDATE SET file = excluded.file, content_type = excluded.content_type, bytes = excluded.bytes,
                        updated_at = excluded.updated_at
                    """)
                guard let tenant = try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE id = \(tenantID) FOR UPDATE") else {
                    throw StoreError.tenantNotFound("#\(tenantID)")
                }
                var branding = tenant.branding
                branding.logoFile = logo.file
                try await c.run("UPDATE tenant SET branding = \(try JSONText.encode(branding)), updated_at = \(now) WHERE id = \(tenantID)")
            }
        }
    }

    public func logo(tenantID: Int64, file: String) async throws -> StoredLogo? {
        try await run { c in
            try await c.run("SELECT * FROM tenant_logo WHERE tenant_id = \(tenantID) AND file = \(file)").record(TenantLogoRecord.self)?.logo
        }
    }

    public func authenticate(apiKey: String) async throws -> APIKeyIdentity? {
        guard apiKey.hasPrefix("wm_"), apiKey.count < 200 else { return nil }
        let digest = APIKeySecret.digest(apiKey)
        return try await run { c in
            guard let key = try await c.run("SELECT * FROM api_key WHERE secret_sha256 = \(digest) AND revoked_at IS NULL").record(APIKeyRecord.self)
            else { return nil }
            return APIKeyIdentity(keyID: try key.storedID(), tenantID: key.tenantID, scope: key.scope, label: "API key \(key.name) (\(key.prefix)…)")
        }
    }

    public func verifyLogin(email: String, password: String) async throws -> Int64? {
        let user = try await run { c in
            try await c.run(#"SELECT * FROM "user" WHERE lower(email) = lower(\#(email))"#).record(UserRecord.self)
        }
        guard let user, let id = user.id else {
            await Passwords.verifyWithoutAccount(password)
            return nil
        }
        return await Passwords.verify(password, hash: user.passwordHash) ? id : nil
    }

    public func tenantAndProviderAccount(slug: String, provider: String) async throws -> (Tenant, ProviderAccount?)? {
        try await run { c in
            guard let tenant = try await Self.tenantIfAny(c, "SELECT * FROM tenant WHERE slug = \(slug)") else { return nil }
            let account = try await c.run("SELECT * FROM provider_account WHERE tenant_id = \(tenant.id) AND provider = \(provider)")
                .record(ProviderAccountRecord.self)?.account
            return (tenant, account)
        }
    }

    /// Counts this node's changes to tenants and provider accounts and, once it listens
    /// (`listenToOtherNodes`), the other nodes' as it hears of them; callers still bound their
    /// trust in time, for a change it did not hear of.
    public var localSettingsCommits: UInt64 { settingsChangeCount }

    public func providerAccounts(tenantID: Int64) async throws -> [ProviderAccount] {
        try await run { c in
            try await c.run("SELECT * FROM provider_account WHERE tenant_id = \(tenantID) ORDER BY provider").records(ProviderAccountRecord.self)
                .map(\.account)
        }
    }

    public func setProviderAccount(
        tenantID: Int64, provider: String, secret: String?, apiKey: String?, register: Bool?, now: Date
    ) async throws -> ProviderAccount {
        try await changingSettings {
            return try await transaction { c in
                guard let account = try await c.run("""
                    INSERT INTO provider_account (tenant_id, provider, secret, api_key, register, created_at, updated_at)
                    VALUES (\(tenantID), \(provider), \(secret), \(apiKey), \(register ?? false), \(now), \(now))
                    ON CONFLICT (tenant_id, provider) DO UPDATE SET
                        secret = coalesce(excluded.secret, provider_account.secret), api_key = coalesce(excluded.api_key, provider_account.api_key),
                        register = CASE WHEN \(register)::boolean IS NULL THEN provider_account.register ELSE excluded.register END,
                        updated_at = excluded.updated_at
                    RETURNING *
                    """).record(ProviderAccountRecord.self)
                else { throw StoreError.tenantNotFound("\(tenantID)") }
                return account.account
            }
        }
    }

    public func providerActivity(tenantID: Int64) async throws -> [ProviderActivity] {
        try await run { c in
            try await c.run("SELECT * FROM provider_activity WHERE tenant_id = \(tenantID) ORDER BY provider").records(ProviderActivityRecord.self)
                .map(\.activity)
        }
    }

    public func recordRefusedHook(tenantID: Int64, provider: String, reason: String, now: Date) async throws {
        try await run { c in
            try await c.run("""
                INSERT INTO provider_activity (tenant_id, provider, last_refused_at, last_refusal) VALUES (\(tenantID), \(provider), \(now), \(String(reason.prefix(500))))
                ON CONFLICT (tenant_id, provider) DO UPDATE SET last_refused_at = excluded.last_refused_at, last_refusal = excluded.last_refusal
                """)
        }
    }

    public func ingestSettings(tenantID: Int64) async throws -> IngestSettings {
        try await run { c in try await Self.ingestSettings(c, tenantID: tenantID) }
    }

    public func setIngestSettings(tenantID: Int64, autoCreateShipments: Bool?, deliveredRetentionDays: Int?) async throws {
        try await changingSettings {
            try await run { c in
                try await c.run("""
                    UPDATE tenant SET auto_create_shipments = coalesce(\(autoCreateShipments), auto_create_shipments),
                        delivered_retention_days = coalesce(\(deliveredRetentionDays), delivered_retention_days) WHERE id = \(tenantID)
                    """)
            }
        }
    }

    static func ingestSettings(_ c: PostgresConnection, tenantID: Int64) async throws -> IngestSettings {
        for try await (autoCreate, retention) in try await c.run(
            "SELECT auto_create_shipments, delivered_retention_days FROM tenant WHERE id = \(tenantID)").decode((Bool, Int).self)
        {
            return IngestSettings(autoCreateShipments: autoCreate, deliveredRetentionDays: retention)
        }
        throw StoreError.tenantNotFound("\(tenantID)")
    }

    static func tenant(_ c: PostgresConnection, _ query: PostgresQuery) async throws -> Tenant {
        guard let tenant = try await tenantIfAny(c, query) else { throw StoreError.tenantNotFound(query.sql) }
        return tenant
    }

    static func tenantIfAny(_ c: PostgresConnection, _ query: PostgresQuery) async throws -> Tenant? {
        try await c.run(query).record(TenantRecord.self)?.tenant()
    }
}
