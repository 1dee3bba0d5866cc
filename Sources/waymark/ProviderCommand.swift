import ArgumentParser
import Foundation
import WaymarkCore

struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "A merchant's credentials for the tracking providers that push updates.",
        subcommands: [Set.self])

    /// The providers with an inbound webhook at `/hooks/{provider}/{tenant}`.
    static let names = ["track123", "aftership", "17track", "easypost", "shippo", "waymark"]

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a provider's webhook secret, API key and registration switch; unset options stay as they are.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "One of: \(ProviderCommand.names.joined(separator: ", ")).") var provider: String
        @Option(help: "The secret that signs the provider's webhooks (Shippo: the ?token= of the hook URL).") var secret: String?
        @Flag(name: .customLong("generate-secret"), help: "Make a new random secret and print it once (whsec_… for 'waymark').")
        var generateSecret = false
        @Option(name: .customLong("api-key"), help: "The key for registering numbers at the provider.") var apiKey: String?
        @Option(help: "Register new shipments at this provider: on or off.") var register: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard ProviderCommand.names.contains(provider) else {
                throw CLIError("unknown provider '\(provider)'; use one of \(ProviderCommand.names.joined(separator: ", "))")
            }
            if generateSecret && secret != nil { throw CLIError("give --secret or --generate-secret, not both") }
            let registerFlag: Bool? = switch register {
            case nil: nil
            case "on": true
            case "off": false
            case let other?: throw CLIError("--register takes on or off, not '\(other)'")
            }
            var newSecret = secret
            if generateSecret {
                newSecret = provider == "waymark" ? "whsec_" + Self.base64(byteCount: 32) : SecureToken.random(byteCount: 32)
            }
            if let newSecret {
                guard !newSecret.isEmpty, newSecret.count <= 200, !newSecret.contains(where: \.isWhitespace) else {
                    throw CLIError("the secret must be 1 to 200 characters without spaces")
                }
                if provider == "waymark", !Self.isStandardWebhooksSecret(newSecret) {
                    throw CLIError("the 'waymark' provider needs a Standard Webhooks secret: whsec_ followed by base64 of 24 to 64 bytes (or use --generate-secret)")
                }
            }
            if let apiKey, apiKey.isEmpty || apiKey.count > 200 || apiKey.contains(where: \.isWhitespace) {
                throw CLIError("the API key must be 1 to 200 characters without spaces")
            }
            let db = try openDatabase(database.path)
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            let account = try await db.setProviderAccount(
                tenantID: found.id, provider: provider, secret: newSecret, apiKey: apiKey, register: registerFlag, now: Date())
            print("Provider '\(provider)' for '\(found.slug)': secret \(account.secret == nil ? "not set" : "set"), API key \(account.apiKey == nil ? "not set" : "set"), registration \(account.register ? "on" : "off")")
            print("Webhook URL: {base-url}/hooks/\(provider)/\(found.slug)" + (provider == "shippo" ? "?token=<secret>" : ""))
            if apiKey != nil {
                // Registrations refused with the old key failed at once; the new key gets another go.
                let requeued = try await db.retryFailedRegistrations(tenantID: found.id, provider: provider, now: Date())
                if requeued > 0 { print("Queued \(requeued) failed registration(s) again with the new API key") }
            }
            if generateSecret, let newSecret { print("New secret (shown once): \(newSecret)") }
        }

        static func base64(byteCount: Int) -> String {
            var generator = SystemRandomNumberGenerator()
            return Data((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
        }

        static func isStandardWebhooksSecret(_ secret: String) -> Bool {
            guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) else { return false }
            return (24...64).contains(key.count)
        }
    }
}
