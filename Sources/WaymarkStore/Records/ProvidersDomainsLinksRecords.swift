import Foundation
import GRDB
import WaymarkCore

/// A row of `provider_activity`: what one provider last did for one tenant.
struct ProviderActivityRecord: Codable, StoredRecord {
    static let databaseTableName = "provider_activity"
    static let keyColumns = ["tenant_id", "provider"]

    var tenantID: Int64
    var provider: String
    var lastEventAt: Date?
    var lastRefusedAt: Date?
    var lastRefusal: String?
    var lastRegistrationErrorAt: Date?
    var lastRegistrationError: String?

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", provider, lastEventAt = "last_event_at", lastRefusedAt = "last_refused_at", lastRefusal = "last_refusal"
        case lastRegistrationErrorAt = "last_registration_error_at", lastRegistrationError = "last_registration_error"
    }

    var rowID: String { "tenant_id=\(tenantID), provider=\(provider)" }

    var activity: ProviderActivity {
        func problem(_ at: Date?, _ reason: String?) -> ProviderActivity.Problem? {
            guard let at, let reason else { return nil }
            return .init(at: at, reason: reason)
        }
        return ProviderActivity(
            provider: provider, lastEventAt: lastEventAt, lastRefusal: problem(lastRefusedAt, lastRefusal),
            lastRegistrationError: problem(lastRegistrationErrorAt, lastRegistrationError))
    }
}

/// A row of `domain_claim`: a domain a tenant asked for, waiting for its TXT record.
struct DomainClaimRecord: Codable, StoredRecord {
    static let databaseTableName = "domain_claim"
    static let keyColumns = ["tenant_id"]

    var tenantID: Int64
    var domain: String
    var token: String
    var createdAt: Date
    var checkedAt: Date?
    var problem: String?

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", domain, token, createdAt = "created_at", checkedAt = "checked_at", problem
    }

    var rowID: String { "tenant_id=\(tenantID)" }

    var claim: DomainClaim { DomainClaim(domain: domain, token: token, createdAt: createdAt, checkedAt: checkedAt, problem: problem) }
}

/// A row of `after_delivery_link`: position 0 is the review link, 1 to 4 the products.
struct AfterDeliveryLinkRecord: Codable, StoredRecord, PersistableRecord {
    static let databaseTableName = "after_delivery_link"

    var id: Int64?
    var tenantID: Int64
    var position: Int
    var kind: String
    var title: String
    var imageURL: String?
    var url: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", position, kind, title, imageURL = "image_url", url, createdAt = "created_at"
    }

    var rowID: String { id.map { "\($0)" } ?? "tenant_id=\(tenantID), position=\(position)" }

    func link() throws -> AfterDeliveryLink {
        guard let id else { throw unreadable(CodingKeys.id, "no id") }
        guard let kind = AfterDeliveryLink.Kind(rawValue: kind) else { throw unreadable(CodingKeys.kind, "'\(kind)' is not a link kind") }
        return AfterDeliveryLink(id: id, kind: kind, title: title, imageURL: imageURL, url: url)
    }
}
