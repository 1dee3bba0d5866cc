import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkProviders

struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "A merchant's credentials for the tracking providers that push updates.",
        subcommands: [Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a provider's webhook secret, API key and registration switch; unset options stay as they are.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "One of: \(ProviderName.allCases.map(\.rawValue).joined(separator: ", ")).") var provider: String
        @Option(help: "The secret that signs the provider's webhooks (Shippo: the ?token= of the hook URL).") var secret: String?
        @Flag(name: .customLong("generate-secret"), help: "Make a new random secret and print it once (whsec_… for 'waymark').")
        var generateSecret = false
        @Option(name: .customLong("api-key"), help: "The key for registering numbers at the provider.") var apiKey: String?
        @Option(help: "Register new shipments at this provider: on or off.") var register: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let name = ProviderName(rawValue: provider) else {
                throw CLIError("unknown provider '\(provider)'; use one of \(ProviderName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if generateSecret && secret != nil { throw CLIError("give --secret or --generate-secret, not both") }
            let registerFlag: Bool? = switch register {
            case nil: nil
            case "on": true
            case "off": false
            case let other?: throw CLIError("--register takes on or off, not '\(other)'")
            }
            if registerFlag == true && !name.registersNumbers { throw CLIError("numbers cannot be registered at '\(provider)'; it only receives updates") }
            let newSecret = generateSecret ? name.generateSecret() : secret
            if let problem = newSecret.flatMap(name.secretProblem) ?? apiKey.flatMap(ProviderName.apiKeyProblem) { throw CLIError(problem) }
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            let account = try await db.setProviderAccount(
                tenantID: found.id, provider: provider, secret: newSecret, apiKey: apiKey, register: registerFlag, now: Date())
            print("Provider '\(provider)' for '\(found.slug)': secret \(account.secret == nil ? "not set" : "set"), API key \(account.apiKey == nil ? "not set" : "set"), registration \(account.register ? "on" : "off")")
            print("Webhook URL: {base-url}\(name.hookPath(tenantSlug: found.slug))")
            if apiKey != nil {
                // Registrations refused with the old key failed at once; the new key gets another go.
                let requeued = try await db.retryFailedRegistrations(tenantID: found.id, provider: provider, now: Date())
                if requeued > 0 { print("Queued \(requeued) failed registration(s) again with the new API key") }
            }
            if generateSecret, let newSecret { print("New secret (shown once): \(newSecret)") }
        }
    }
}
