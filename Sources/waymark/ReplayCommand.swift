import ArgumentParser
import Foundation
import WaymarkCore
import WaymarkProviders

/// Runs stored provider payloads through decoding and ingest again, e.g. after a mapping fix.
/// Payloads were verified when they arrived, so signatures are not checked again; checkpoints
/// already stored stay stored once.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process stored provider webhooks again (they are kept for 30 days).")

    @Option(help: "The tenant's slug.") var tenant: String
    @Option(help: "Only payloads received on or after this day or time (YYYY-MM-DD or RFC 3339); default: 30 days ago.")
    var since: String?
    @Option(help: "Only this provider's payloads.") var provider: String?
    @Option(name: .customLong("event"), help: "Only the stored payload with this id.") var eventID: Int64?
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let start: Date
        if let since {
            guard let parsed = RFC3339.parse(since)?.date ?? RFC3339.parseDay(since) else {
                throw CLIError("--since '\(since)' must be a day like 2026-11-01 or an RFC 3339 time")
            }
            start = parsed
        } else {
            start = Date().addingTimeInterval(-Retention.inboundPayloads)
        }
        if let provider, ProviderName(rawValue: provider) == nil {
            throw CLIError("unknown provider '\(provider)'; use one of \(ProviderName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let db = try await database.open()
        guard let found = try await db.tenant(slug: tenant) else { throw CLIError("no tenant with slug '\(tenant)'") }
        let events = try await db.inboundEvents(tenantID: found.id, since: start, provider: provider, id: eventID)
        var failed = 0
        for event in events {
            guard let name = ProviderName(rawValue: event.provider) else { continue }
            do {
                let webhook = try ProviderAdapters.adapter(for: name).decode(InboundRequest(body: event.body))
                let results = try await db.reapply(tenantID: found.id, provider: event.provider, updates: webhook.updates, now: Date())
                let added = results.reduce(0) { $0 + $1.inserted }
                print("#\(event.id) \(event.provider): \(results.count) tracking number(s), \(added) new checkpoint(s)")
            } catch {
                failed += 1
                print("#\(event.id) \(event.provider): cannot be decoded: \(error)")
            }
        }
        print("Replayed \(events.count - failed) of \(events.count) stored payload(s)")
        if failed > 0 { throw ExitCode(1) }
    }
}
