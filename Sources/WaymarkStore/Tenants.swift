import Crypto
import Foundation
import GRDB
import WaymarkCore

/// API keys: `wm_` and 43 base64url characters (256 random bits); the first 11 characters are
/// kept in clear so a merchant can tell keys apart.
enum APIKeySecret {
    static func generate() -> String { "wm_" + SecureToken.random(byteCount: 32) }
    static func prefix(of key: String) -> String { String(key.prefix(11)) }
    static func digest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension AppDatabase {
    /// Creates a tenant, its owner (or adds an existing user as owner) and a first API key,
    /// all or nothing.
    public func createTenant(_ new: NewTenant, now: Date = Date()) async throws -> CreatedTenant {
        guard new.ownerPassword.count >= Passwords.minimumLength else {
            throw ValidationError("owner password must be at least \(Passwords.minimumLength) characters")
        }
        // bcrypt is slow by design; do it before taking the write lock.
        let passwordHash = await Passwords.hash(new.ownerPassword)
        let apiKey = APIKeySecret.generate()
        let tenant = try await write { db -> Tenant in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tenant WHERE slug = ?", arguments: [new.slug.value]) == true {
                throw StoreError.slugTaken(new.slug.value)
            }
            // Only these columns: the schema's defaults set up everything else.
            try db.execute(sql: """
                INSERT INTO tenant (slug, name, branding, default_locale, time_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [new.slug.value, new.name, try JSONText.encode(new.branding), new.defaultLocale, new.timeZone, now, now])
            let tenantID = db.lastInsertedRowID
            let userID: Int64
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [new.ownerEmail.value]) {
                userID = existing
            } else {
                try UserRecord(id: nil, email: new.ownerEmail.value, passwordHash: passwordHash, createdAt: now).insert(db)
                userID = db.lastInsertedRowID
            }
            try MembershipRecord(tenantID: tenantID, userID: userID, role: .owner, createdAt: now).insert(db)
            try APIKeyRecord(tenantID: tenantID, name: "Default key", secret: apiKey, scope: .readWrite, now: now).insert(db)
            return try Self.fetchTenant(db, sql: "SELECT * FROM tenant WHERE id = ?", tenantID)
        }
        return CreatedTenant(tenant: tenant, apiKey: apiKey)
    }

    public func tenant(slug: String) async throws -> Tenant? {
        try await read { db in try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE slug = ?", slug) }
    }

    public func tenants() async throws -> [Tenant] {
        try await read { db in try TenantRecord.fetchAll(db, sql: "SELECT * FROM tenant ORDER BY slug").map { try $0.tenant() } }
    }

    public func tenant(id: Int64) async throws -> Tenant? {
        try await read { db in try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE id = ?", id) }
    }

    /// The tenant whose custom domain is `host` (case-insensitive, without port).
    public func tenant(customDomain host: String) async throws -> Tenant? {
        try await read { db in try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE custom_domain = ?", host) }
    }

    /// Serves the tenant at `domain` too, or stops doing so with nil.
    public func setCustomDomain(tenantID: Int64, domain: String?, now: Date = Date()) async throws -> Tenant {
        try await write { db in
            if let domain { try Self.refuseDomainOfAnother(db, domain: domain, tenantID: tenantID) }
            try db.execute(sql: "UPDATE tenant SET custom_domain = ?, updated_at = ? WHERE id = ?", arguments: [domain?.lowercased(), now, tenantID])
            if domain == nil { try db.execute(sql: "DELETE FROM domain_claim WHERE tenant_id = ?", arguments: [tenantID]) }
            return try Self.fetchTenant(db, sql: "SELECT * FROM tenant WHERE id = ?", tenantID)
        }
    }

    public func domainClaim(tenantID: Int64) async throws -> DomainClaim? {
        try await read { db in
            try DomainClaimRecord.fetchOne(db, sql: "SELECT * FROM domain_claim WHERE tenant_id = ?", arguments: [tenantID])?.claim
        }
    }

    public func claimDomain(tenantID: Int64, domain: String, token: String, now: Date) async throws -> DomainClaim {
        try await write { db in
            try Self.refuseDomainOfAnother(db, domain: domain, tenantID: tenantID)
            try db.execute(sql: """
                INSERT INTO domain_claim (tenant_id, domain, token, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET domain = excluded.domain, token = excluded.token, created_at = excluded.created_at,
                    checked_at = NULL, problem = NULL
                """, arguments: [tenantID, domain.lowercased(), token, now])
            return DomainClaim(domain: domain.lowercased(), token: token, createdAt: now)
        }
    }

    public func recordDomainCheck(tenantID: Int64, problem: String?, now: Date) async throws -> Tenant? {
        try await write { db in
            guard let claim = try DomainClaimRecord.fetchOne(db, sql: "SELECT * FROM domain_claim WHERE tenant_id = ?", arguments: [tenantID]) else {
                return nil
            }
            if let problem {
                try db.execute(sql: "UPDATE domain_claim SET checked_at = ?, problem = ? WHERE tenant_id = ?", arguments: [now, String(problem.prefix(500)), tenantID])
            } else {
                try Self.refuseDomainOfAnother(db, domain: claim.domain, tenantID: tenantID)
                try db.execute(sql: "UPDATE tenant SET custom_domain = ?, updated_at = ? WHERE id = ?", arguments: [claim.domain, now, tenantID])
                try db.execute(sql: "DELETE FROM domain_claim WHERE tenant_id = ?", arguments: [tenantID])
            }
            return try Self.fetchTenant(db, sql: "SELECT * FROM tenant WHERE id = ?", tenantID)
        }
    }

    private static func refuseDomainOfAnother(_ db: Database, domain: String, tenantID: Int64) throws {
        if let owner = try Int64.fetchOne(db, sql: "SELECT id FROM tenant WHERE custom_domain = ?", arguments: [domain]), owner != tenantID {
            throw StoreError.domainTaken(domain)
        }
    }

    public func updateBranding(tenantID: Int64, _ branding: Branding, now: Date = Date()) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE tenant SET branding = ?, updated_at = ? WHERE id = ?", arguments: [try JSONText.encode(branding), now, tenantID])
        }
    }

    public func setLogo(tenantID: Int64, _ logo: StoredLogo, now: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO tenant_logo (tenant_id, file, content_type, bytes, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id) DO UPDATE SET file = excluded.file, content_type = excluded.content_type, bytes = excluded.bytes,
                    updated_at = excluded.updated_at
                """, arguments: [tenantID, logo.file, logo.contentType, Data(logo.bytes), now])
            guard let tenant = try Self.fetchTenantIfAny(db, sql: "SELECT * FROM tenant WHERE id = ?", tenantID) else {
                throw StoreError.tenantNotFound("#\(tenantID)")
            }
            var branding = tenant.branding
            branding.logoFile = logo.file
            try db.execute(sql: "UPDATE tenant SET branding = ?, updated_at = ? WHERE id = ?", arguments: [try JSONText.encode(branding), now, tenantID])
        }
    }

    public func logo(tenantID: Int64, file: String) async throws -> StoredLogo? {
        try await read { db in
            try TenantLogoRecord.fetchOne(db, sql: "SELECT * FROM tenant_logo WHERE tenant_id = ? AND file = ?", arguments: [tenantID, file])?.logo
        }
    }

    /// The tenant and key behind a bearer token, or nil for an unknown or revoked key.
    public func authenticate(apiKey: String) async throws -> APIKeyIdentity? {
        guard apiKey.hasPrefix("wm_"), apiKey.count < 200 else { return nil }
        let digest = APIKeySecret.digest(apiKey)
        return try await read { db in
            guard let key = try APIKeyRecord.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM api_key WHERE secret_sha256 = ? AND revoked_at IS NULL"), arguments: [digest])
            else { return nil }
            return APIKeyIdentity(keyID: try key.storedID(), tenantID: key.tenantID, scope: key.scope, label: "API key \(key.name) (\(key.prefix)…)")
        }
    }

    /// Checks a user's password for a tenant; nil on any mismatch, without saying which part.
    public func verifyLogin(email: String, password: String) async throws -> Int64? {
        let user = try await read { db -> (id: Int64, hash: String)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, password_hash FROM user WHERE email = ?", arguments: [email]) else { return nil }
            let id: Int64 = try UserRecord.value(UserRecord.Columns.id, in: row, id: "?")
            let hash: String = try UserRecord.value(UserRecord.Columns.passwordHash, in: row, id: id)
            return (id: id, hash: hash)
        }
        guard let user else {
            await Passwords.verifyWithoutAccount(password)
            return nil
        }
        return await Passwords.verify(password, hash: user.hash) ? user.id : nil
    }

    static func fetchTenant(_ db: Database, sql: String, _ argument: some DatabaseValueConvertible) throws -> Tenant {
        guard let tenant = try fetchTenantIfAny(db, sql: sql, argument) else { throw StoreError.tenantNotFound("\(argument)") }
        return tenant
    }

    static func fetchTenantIfAny(_ db: Database, sql: String, _ argument: some DatabaseValueConvertible) throws -> Tenant? {
        try TenantRecord.fetchOne(db.cachedStatement(sql: sql), arguments: [argument])?.tenant()
    }
}
