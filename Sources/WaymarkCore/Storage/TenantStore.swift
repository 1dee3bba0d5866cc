import Foundation

/// A tenant's settings for one tracking provider.
public struct ProviderAccount: Sendable, Equatable {
    public var provider: String
    /// Verifies the provider's webhook signatures (or, for Shippo, the URL token).
    public var secret: String?
    /// Registers tracking numbers at the provider.
    public var apiKey: String?
    /// Whether new shipments are registered at this provider.
    public var register: Bool

    public init(provider: String, secret: String? = nil, apiKey: String? = nil, register: Bool = false) {
        self.provider = provider
        self.secret = secret
        self.apiKey = apiKey
        self.register = register
    }
}

/// How a tenant wants ingest and lifecycle to behave.
public struct IngestSettings: Sendable, Equatable {
    /// An update for an unknown tracking number creates the shipment.
    public var autoCreateShipments: Bool
    /// Delivered shipments are archived this many days after delivery.
    public var deliveredRetentionDays: Int

    package init(autoCreateShipments: Bool, deliveredRetentionDays: Int) {
        self.autoCreateShipments = autoCreateShipments
        self.deliveredRetentionDays = deliveredRetentionDays
    }
}

/// What it takes to open a new merchant account.
public struct NewTenant: Sendable {
    public var slug: TenantSlug
    public var name: String
    public var ownerEmail: EmailAddress
    public var ownerPassword: String
    public var branding: Branding
    public var defaultLocale: String
    public var timeZone: String

    public init(
        slug: TenantSlug, name: String, ownerEmail: EmailAddress, ownerPassword: String,
        branding: Branding = Branding(), defaultLocale: String = "en", timeZone: String = "UTC"
    ) {
        self.slug = slug
        self.name = name
        self.ownerEmail = ownerEmail
        self.ownerPassword = ownerPassword
        self.branding = branding
        self.defaultLocale = defaultLocale
        self.timeZone = timeZone
    }
}

/// A tenant together with the API key issued when it was made. The key's plain text exists only
/// here: the database keeps its SHA-256.
public struct CreatedTenant: Sendable {
    public var tenant: Tenant
    public var apiKey: String

    package init(tenant: Tenant, apiKey: String) {
        self.tenant = tenant
        self.apiKey = apiKey
    }
}

/// The tenant an API key belongs to.
public struct APIKeyIdentity: Sendable, Equatable {
    public var keyID: Int64
    public var tenantID: Int64
    public var scope: APIKeyScope
    /// How the audit log names the key: its name and clear prefix.
    public var label: String

    package init(keyID: Int64, tenantID: Int64, scope: APIKeyScope = .readWrite, label: String = "") {
        self.keyID = keyID
        self.tenantID = tenantID
        self.scope = scope
        self.label = label
    }
}

/// Merchants, the people who sign in to them, their API keys and their tracking-provider accounts.
public protocol TenantStore: Sendable {
    /// Creates a tenant, its owner (or adds an existing user as owner) and a first API key, all
    /// or nothing. Throws `StoreError.slugTaken` for a slug in use.
    func createTenant(_ new: NewTenant, now: Date) async throws -> CreatedTenant
    func tenant(slug: String) async throws -> Tenant?
    /// Every tenant, by slug (for operators' commands).
    func tenants() async throws -> [Tenant]
    func tenant(id: Int64) async throws -> Tenant?
    /// The tenant whose pages `host` serves, whatever its case.
    func tenant(customDomain host: String) async throws -> Tenant?
    /// Sets or clears (nil) the tenant's own domain; `StoreError.domainTaken` if another has it.
    /// Clearing also drops a claim waiting for its proof. Setting serves at once: the admin and
    /// the CLI go through `claimDomain` and `recordDomainCheck` instead.
    func setCustomDomain(tenantID: Int64, domain: String?, now: Date) async throws -> Tenant
    /// The domain the tenant asked for and has not proven yet.
    func domainClaim(tenantID: Int64) async throws -> DomainClaim?
    /// Asks for `domain` (lowercase host name), replacing an earlier claim; the domain keeps
    /// serving whatever it served. `StoreError.domainTaken` if another tenant is served there.
    func claimDomain(tenantID: Int64, domain: String, token: String, now: Date) async throws -> DomainClaim
    /// Records a lookup of the claim's TXT record: with a problem it is kept for the page; with
    /// none the claimed domain becomes the tenant's, in the same transaction, and the claim goes.
    /// `StoreError.domainTaken` if another tenant got the domain first; nil without a claim.
    func recordDomainCheck(tenantID: Int64, problem: String?, now: Date) async throws -> Tenant?
    func updateBranding(tenantID: Int64, _ branding: Branding, now: Date) async throws
    /// Keeps an uploaded logo (already checked) and makes it the tenant's (`Branding.logoFile`),
    /// in one transaction; returns its file name.
    func setLogo(tenantID: Int64, _ logo: StoredLogo, now: Date) async throws
    /// The tenant's uploaded logo if `file` names it.
    func logo(tenantID: Int64, file: String) async throws -> StoredLogo?
    /// The tenant and key an API key belongs to; nil for a key nobody holds.
    func authenticate(apiKey: String) async throws -> APIKeyIdentity?
    /// The user a correct email and password belong to; nil otherwise, after the same work.
    func verifyLogin(email: String, password: String) async throws -> Int64?

    /// The tenant a provider webhook's URL names, with its account at that provider (nil when it has none).
    func tenantAndProviderAccount(slug: String, provider: String) async throws -> (Tenant, ProviderAccount?)?
    /// How many of this process's commits changed a tenant or a provider account: an answer of
    /// `tenantAndProviderAccount` (or a custom domain's tenant) read at one count is current while
    /// the count stays. Unlike `localCommits`, ingest does not move it. A store shared by several
    /// nodes counts the other nodes' changes too once it hears of them (PostgreSQL: `NOTIFY`).
    var localSettingsCommits: UInt64 { get }
    func providerAccounts(tenantID: Int64) async throws -> [ProviderAccount]
    /// Creates or changes the tenant's account at `provider`; a nil argument keeps what is stored.
    func setProviderAccount(
        tenantID: Int64, provider: String, secret: String?, apiKey: String?, register: Bool?, now: Date
    ) async throws -> ProviderAccount
    /// What each provider last did for the tenant; a provider that never did anything is absent.
    func providerActivity(tenantID: Int64) async throws -> [ProviderActivity]
    /// Notes a webhook refused before anything was stored (unsigned, bad signature, stale).
    func recordRefusedHook(tenantID: Int64, provider: String, reason: String, now: Date) async throws
    func ingestSettings(tenantID: Int64) async throws -> IngestSettings
    /// Changes the given settings; a nil argument keeps what is stored.
    func setIngestSettings(tenantID: Int64, autoCreateShipments: Bool?, deliveredRetentionDays: Int?) async throws
}

/// An uploaded logo as stored: its bytes, type and the file name it is served under (the start
/// of its SHA-256, so a new logo is a new URL and browsers may cache each one for good).
public struct StoredLogo: Sendable, Equatable {
    public var file: String
    public var contentType: String
    public var bytes: [UInt8]

    public init(file: String, contentType: String, bytes: [UInt8]) {
        self.file = file
        self.contentType = contentType
        self.bytes = bytes
    }
}
