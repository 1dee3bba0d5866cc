import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkProviders

/// `/admin/settings/providers`: per tracking provider, the inbound URL to paste into its
/// dashboard, the webhook secret and API key (write-only: the page says whether one is set, never
/// what it is; a generated secret is shown once), whether new shipments are registered there,
/// the last event received and the last error. The same rules as `waymark provider set`.
struct AdminProvidersController {
    let site: AdminSite

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminProviders, .get, mountedAt: .admin, use: list)
        router.on(.adminProvider, .post, mountedAt: .admin, use: update)
    }

    struct Page: Encodable {
        let providers: [Provider]

        struct Provider: Encodable {
            let id: String
            let name: String
            let action: String
            let hookURL: String
            let secretInURL: Bool
            let secretSet: Bool
            /// No secret, but the API key verifies this provider's webhooks.
            let signedWithKey: Bool
            let apiKeySet: Bool
            let registersNumbers: Bool
            let register: Bool
            let lastEvent: String?
            let lastRefusal: Problem?
            let lastRegistrationError: Problem?
            /// A secret just generated: shown this once.
            let newSecret: String?
            let errors: [String]
            let hasErrors: Bool
            let saved: Bool
        }

        struct Problem: Encodable {
            let when: String
            let reason: String
        }
    }

    @Sendable func list(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let saved = request.uri.queryParameters["saved"].map(String.init)
        return try await page(request, context: context, saved: saved)
    }

    @Sendable func update(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        guard let provider = context.parameters.get("provider").flatMap(ProviderName.init(rawValue:)) else { throw HTTPError(.notFound) }
        let form = try site.form(context)
        var errors: [String] = []
        // Secrets and keys keep their exact text; an empty field keeps what is stored.
        var secret = form.raw("secret").flatMap { $0.isEmpty ? nil : $0 }
        let apiKey = form.raw("api_key").flatMap { $0.isEmpty ? nil : $0 }
        let generate = form["generate_secret"] == "on"
        if generate && secret != nil { errors.append(site.text("providers_secret_or_generate", context)) }
        if generate { secret = provider.generateSecret() }
        if let problem = secret.flatMap(provider.secretProblem) { errors.append(site.text("providers_secret", context) + ": " + problem) }
        if let problem = apiKey.flatMap(ProviderName.apiKeyProblem) { errors.append(site.text("providers_api_key", context) + ": " + problem) }
        guard errors.isEmpty else {
            return try await page(request, context: context, failed: (provider, errors), status: .unprocessableContent)
        }
        let before = try await site.database.providerAccounts(tenantID: session.tenant.id).first { $0.provider == provider.rawValue }
        let register = provider.registersNumbers ? form["register"] == "on" : nil
        let now = site.now()
        _ = try await site.database.setProviderAccount(
            tenantID: session.tenant.id, provider: provider.rawValue, secret: secret, apiKey: apiKey, register: register, now: now)
        var changes: [String] = []
        if secret != nil { changes.append(generate ? "generated a new secret" : "set the secret") }
        if apiKey != nil { changes.append("set the API key") }
        if let register, register != (before?.register ?? false) { changes.append("registration \(register ? "on" : "off")") }
        if !changes.isEmpty {
            try await site.audit(context, "provider \(provider.rawValue): " + changes.joined(separator: ", "), subject: "provider \(provider.rawValue)")
        }
        if apiKey != nil {
            // Registrations refused with the old key failed at once; the new key gets another go.
            _ = try await site.database.retryFailedRegistrations(tenantID: session.tenant.id, provider: provider.rawValue, now: now)
        }
        if generate, let secret {
            return try await page(request, context: context, newSecret: (provider, secret), saved: provider.rawValue)
        }
        return AdminSite.seeOther(SiteRoute.adminProviders.path() + "?saved=\(provider.rawValue)#provider-\(provider.rawValue)")
    }

    private func page(
        _ request: Request, context: WaymarkRequestContext, failed: (ProviderName, [String])? = nil, newSecret: (ProviderName, String)? = nil,
        saved: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let session = try site.session(context)
        let accounts = Dictionary(try await site.database.providerAccounts(tenantID: session.tenant.id).map { ($0.provider, $0) }) { first, _ in first }
        let activity = Dictionary(try await site.database.providerActivity(tenantID: session.tenant.id).map { ($0.provider, $0) }) { first, _ in first }
        func problem(_ value: ProviderActivity.Problem?) -> Page.Problem? {
            value.map { Page.Problem(when: AdminDate.format($0.at), reason: $0.reason) }
        }
        let providers = ProviderName.allCases.map { provider in
            let account = accounts[provider.rawValue]
            let seen = activity[provider.rawValue]
            let errors = failed?.0 == provider ? failed?.1 ?? [] : []
            let secretSet = account?.secret?.isEmpty == false
            let apiKeySet = account?.apiKey?.isEmpty == false
            return Page.Provider(
                id: provider.rawValue, name: provider.displayName, action: SiteRoute.adminProvider.path(provider.rawValue),
                hookURL: site.links.baseURL + provider.hookPath(tenantSlug: session.tenant.slug), secretInURL: provider.secretInURL,
                secretSet: secretSet, signedWithKey: !secretSet && apiKeySet && provider.signsWithAPIKey, apiKeySet: apiKeySet,
                registersNumbers: provider.registersNumbers, register: account?.register ?? false,
                lastEvent: seen?.lastEventAt.map(AdminDate.format), lastRefusal: problem(seen?.lastRefusal),
                lastRegistrationError: problem(seen?.lastRegistrationError),
                newSecret: newSecret?.0 == provider ? newSecret?.1 : nil, errors: errors, hasErrors: !errors.isEmpty,
                saved: saved == provider.rawValue && failed == nil)
        }
        let notice = saved.flatMap(ProviderName.init(rawValue:)).map { site.text("providers_saved", context, ["provider": $0.displayName]) }
        return try await site.render(
            "admin/providers", title: "providers_title", Page(providers: providers), context: context, request: request, status: status, notice: notice)
    }
}
