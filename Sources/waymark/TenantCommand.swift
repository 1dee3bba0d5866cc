import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkNotify

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create and configure merchants.", subcommands: [Create.self, SetDomain.self, VerifyDomain.self, Configure.self, Notifications.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a merchant with its owner and a first API key (printed once).")

        @Option(help: "URL name: lowercase letters, digits, hyphens, 2-40 characters.") var slug: String
        @Option(help: "Display name shown to shoppers.") var name: String
        @Option(name: .customLong("owner-email"), help: "The owner's login email.") var ownerEmail: String
        @Option(name: .customLong("default-locale"), help: "Shopper page language when the browser asks for none we have.")
        var defaultLocale = "en"
        @Option(name: .customLong("time-zone"), help: "IANA time zone, e.g. Europe/Berlin.") var timeZone = "UTC"
        @Flag(name: .customLong("password-stdin"), help: "Read the owner password from standard input (one line).")
        var passwordStdin = false
        @Flag(help: "Print {\"tenant\": ..., \"api_key\": ...} as JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let tenantSlug: TenantSlug
            do { tenantSlug = try TenantSlug(slug) } catch { throw CLIError(error.description) }
            let email: EmailAddress
            do { email = try EmailAddress(ownerEmail) } catch { throw CLIError(error.description) }
            let name = name.trimmingWhitespace
            guard (1...120).contains(name.count) else { throw CLIError("name must be 1 to 120 characters") }
            guard let language = ShopperLanguage.match(defaultLocale) else {
                throw CLIError("default locale '\(defaultLocale)' is not one of \(ShopperLanguage.supported.joined(separator: ", "))")
            }
            guard TimeZone(identifier: timeZone) != nil else { throw CLIError("time zone '\(timeZone)' is not an IANA name like Europe/Berlin") }
            let password = try readPassword()
            guard password.count >= Passwords.minimumLength else {
                throw CLIError("the owner password must be at least \(Passwords.minimumLength) characters")
            }

            let db = try await database.open()
            let created: CreatedTenant
            do {
                created = try await db.createTenant(NewTenant(
                    slug: tenantSlug, name: name, ownerEmail: email, ownerPassword: password, defaultLocale: language, timeZone: timeZone), now: Date())
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if json {
                try printJSON(TenantOutput(tenant: TenantResource(created.tenant), api_key: created.apiKey))
            } else {
                print("Created tenant '\(created.tenant.slug)' (\(created.tenant.name)); owner \(email.value)")
                print("API key (shown once, store it now): \(created.apiKey)")
            }
        }

        private func readPassword() throws -> String {
            if !passwordStdin && isatty(STDIN_FILENO) == 1 {
                // Interactive: ask without echo.
                guard let entered = getpass("Owner password: ") else { throw CLIError("no password entered") }
                return String(cString: entered)
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("no owner password on standard input; pipe it in, e.g. echo \"$PASSWORD\" | waymark tenant create ... --password-stdin")
            }
            return line
        }
    }

    struct SetDomain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-domain",
            abstract: "Ask to serve a merchant's pages on its own host name; it serves once 'verify-domain' finds the TXT record.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Host name such as track.example.com; empty to stop serving it.") var domain: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let trimmed = domain.trimmingWhitespace
            let host = CustomDomain.hostName(trimmed)
            if !trimmed.isEmpty && host == nil {
                throw CLIError("domain '\(domain)' must be a host name like track.example.com, without scheme, port or path")
            }
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            do {
                guard let host else {
                    _ = try await db.setCustomDomain(tenantID: found.id, domain: nil, now: Date())
                    print("Tenant '\(found.slug)' no longer has a custom domain")
                    return
                }
                let claim = try await db.claimDomain(tenantID: found.id, domain: host, token: SecureToken.random(byteCount: 18), now: Date())
                print("To serve '\(found.slug)' at \(claim.domain), create this DNS record, then run 'waymark tenant verify-domain --tenant \(found.slug)':")
                print("  \(claim.recordName)  TXT  \"\(claim.recordValue)\"")
                print("and point \(claim.domain) at this server (a CNAME to the base URL's host).")
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
        }
    }

    struct VerifyDomain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-domain", abstract: "Look up the TXT record of the domain a merchant asked for, and serve it there if it is right.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(name: .customLong("dns-server"), help: "The DNS server to ask, as host:port (default: WAYMARK_DNS_SERVER, else /etc/resolv.conf).")
        var dnsServer: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let resolver: any TXTResolver
            do { resolver = try DNSClient.configured(dnsServer ?? ProcessInfo.processInfo.environment["WAYMARK_DNS_SERVER"]) } catch {
                throw CLIError("\(error)")
            }
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            guard let claim = try await db.domainClaim(tenantID: found.id) else {
                throw CLIError("tenant '\(found.slug)' has asked for no domain; run 'waymark tenant set-domain' first")
            }
            let problem = await DomainProof.problem(with: claim, resolver: resolver)
            do {
                _ = try await db.recordDomainCheck(tenantID: found.id, problem: problem, now: Date())
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if let problem { throw CLIError("\(claim.domain) is not verified: \(problem)") }
            print("Tenant '\(found.slug)' is served at http(s)://\(claim.domain)/")
        }
    }
}

extension TenantCommand {
    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change how ingest and the lifecycle treat a merchant's shipments.")

        @Option(help: "The tenant's slug.") var tenant: String
        @Option(name: .customLong("auto-create"), help: "Create a shipment when a provider reports an unknown number: on or off.")
        var autoCreate: String?
        @Option(name: .customLong("retention-days"), help: "Archive delivered shipments this many days after delivery (1-3650).")
        var retentionDays: Int?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let autoCreateFlag: Bool? = switch autoCreate {
            case nil: nil
            case "on": true
            case "off": false
            case let other?: throw CLIError("--auto-create takes on or off, not '\(other)'")
            }
            if let retentionDays, !(1...3650).contains(retentionDays) { throw CLIError("--retention-days must be from 1 to 3650") }
            let db = try await database.open()
            guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
            try await db.setIngestSettings(tenantID: found.id, autoCreateShipments: autoCreateFlag, deliveredRetentionDays: retentionDays)
            let settings = try await db.ingestSettings(tenantID: found.id)
            print("Tenant '\(found.slug)': auto-create \(settings.autoCreateShipments ? "on" : "off"), delivered shipments archived after \(settings.deliveredRetentionDays) days")
        }
    }
}

struct TenantOutput: Encodable {
    let tenant: TenantResource
    let api_key: String
}

/// A tenant as the CLI prints it.
struct TenantResource: Encodable {
    let slug: String
    let name: String
    let default_locale: String
    let time_zone: String
    let custom_domain: String?
    let branding: Branding

    init(_ tenant: Tenant) {
        slug = tenant.slug
        name = tenant.name
        default_locale = tenant.defaultLocale
        time_zone = tenant.timeZone
        custom_domain = tenant.customDomain
        branding = tenant.branding
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
