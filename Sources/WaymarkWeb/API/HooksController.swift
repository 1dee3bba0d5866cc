import Foundation
import HTTPTypes
import Synchronization
import Hummingbird
import WaymarkCore
import WaymarkProviders

/// `POST /hooks/{provider}/{tenant}`: carrier updates pushed by tracking providers. The request is
/// verified (signature or token, constant time, timestamp tolerance), decoded, normalized and
/// recorded with its raw payload in one transaction; the 2xx comes only after that commit.
struct HooksController {
    let database: any TenantStore & IngestStore
    let refusals: HookRefusals
    let accounts: HookAccounts
    let now: @Sendable () -> Date

    /// Webhook bodies larger than this are refused (413): no provider sends more.
    static let maxBody = 1 << 20

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.providerHook, .post, use: receive)
    }

    @Sendable func receive(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        guard let provider = context.parameters.get("provider").flatMap(ProviderName.init(rawValue:)) else {
            throw APIProblem(status: .notFound, detail: "Unknown provider. Use one of \(ProviderName.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard let slug = context.parameters.get("tenant"),
              let (tenant, account) = try await accounts.value(for: HookAccountKey(slug: slug, provider: provider), generation: database.localSettingsCommits)
        else {
            throw APIProblem.notFound("tenant")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxBody) } catch {
            throw APIProblem(status: .contentTooLarge, detail: "The body is larger than \(Self.maxBody) bytes.")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let inbound = InboundRequest(body: Array(body.readableBytesView), headers: headers, query: query)

        let adapter = ProviderAdapters.adapter(for: provider)
        let webhook: InboundWebhook
        do {
            try adapter.verify(inbound, credentials: ProviderCredentials(secret: account?.secret, apiKey: account?.apiKey), now: now())
            webhook = try adapter.decode(inbound)
        } catch {
            let problem = Self.problem(error)
            // The merchant's providers page shows why the last webhook was refused.
            if refusals.shouldRecord(tenantID: tenant.id, provider: provider.rawValue, at: now()) {
                try await database.recordRefusedHook(tenantID: tenant.id, provider: provider.rawValue, reason: problem.detail, now: now())
            }
            throw problem
        }
        let outcome = try await database.ingest(
            tenantID: tenant.id, provider: provider.rawValue, eventID: webhook.eventID, body: inbound.body, updates: webhook.updates, now: now())
        return JSONReply(status: .ok, body: HookReceipt(outcome).json, location: nil).response
    }

    static func problem(_ error: InboundError) -> APIProblem {
        switch error {
        case .malformed(let reason):
            APIProblem(status: .badRequest, type: "urn:waymark:problem:malformed-payload", title: "Malformed payload", detail: reason)
        case .missingSignature(let reason), .badSignature(let reason), .staleTimestamp(let reason), .notConfigured(let reason):
            APIProblem(status: .unauthorized, type: "urn:waymark:problem:unverified-webhook", title: "Unverified webhook", detail: reason)
        }
    }
}

/// A provider hook's address: the tenant's slug and the provider.
struct HookAccountKey: Hashable, Sendable {
    let slug: String
    let provider: ProviderName
}

/// The tenant and provider account of a hook URL, remembered while this process (or, on
/// PostgreSQL, any node) changes no tenant or account and for at most a quarter second: ingest
/// commits do not count, so a stream of webhooks reads them about four times a second, not once
/// per webhook.
typealias HookAccounts = RecentAnswers<HookAccountKey, (Tenant, ProviderAccount?)?>

extension RecentAnswers<HookAccountKey, (Tenant, ProviderAccount?)?> {
    convenience init(database: any TenantStore) {
        self.init(lifetime: .milliseconds(250), capacity: 10_000) { try await database.tenantAndProviderAccount(slug: $0.slug, provider: $0.provider.rawValue) }
    }
}

/// Which refused webhooks are written down: at most one per tenant and provider a minute, so
/// a flood of forged requests costs no more than one write a minute.
final class HookRefusals: Sendable {
    private let lastRecorded = Mutex<[String: Date]>([:])
    static let interval: TimeInterval = 60

    func shouldRecord(tenantID: Int64, provider: String, at now: Date) -> Bool {
        lastRecorded.withLock { last in
            let key = "\(tenantID)/\(provider)"
            if let previous = last[key], now.timeIntervalSince(previous) < Self.interval, now >= previous { return false }
            last[key] = now
            return true
        }
    }
}

/// What Waymark tells the provider (and a developer replaying by hand) it did. Every provider
/// event is answered with one, so `json` writes it by hand, byte for byte what `JSONEncoder.api`
/// writes (sorted keys, nil left out; `HookReceiptTests` holds it to that).
struct HookReceipt: Encodable {
    let duplicate: Bool
    let results: [Result]

    struct Result: Encodable {
        let tracking_number: String
        let shipment_id: String?
        let created: Bool
        let new_checkpoints: Int
        let status_changed: Bool
        let skipped: String?
    }

    var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + 160 * results.count)
        func append(_ text: String) { out.append(contentsOf: text.utf8) }
        append("{\"duplicate\":\(duplicate),\"results\":[")
        for (index, result) in results.enumerated() {
            if index > 0 { append(",") }
            append("{\"created\":\(result.created),\"new_checkpoints\":\(result.new_checkpoints)")
            if let id = result.shipment_id {
                append(",\"shipment_id\":")
                JSONString.append(id, to: &out)
            }
            if let skipped = result.skipped {
                append(",\"skipped\":")
                JSONString.append(skipped, to: &out)
            }
            append(",\"status_changed\":\(result.status_changed),\"tracking_number\":")
            JSONString.append(result.tracking_number, to: &out)
            append("}")
        }
        append("]}")
        return out
    }

    init(_ outcome: InboundOutcome) {
        duplicate = outcome.duplicate
        results = outcome.results.map {
            Result(tracking_number: $0.trackingNumber, shipment_id: $0.shipmentID, created: $0.created, new_checkpoints: $0.inserted,
                   status_changed: $0.statusChanged, skipped: $0.skipped)
        }
    }
}
