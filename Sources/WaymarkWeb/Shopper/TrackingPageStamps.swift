import WaymarkCore

/// What a tracking page reads first (the tenant and the page's version stamp, or that there is
/// none), remembered while this process commits nothing and for at most a quarter of a second:
/// a page `TrackingPageCache` holds then costs no database read at all. A change made here shows
/// at once; one made by another process (the CLI, another node) within the quarter second.
typealias TrackingPageStamps = RecentAnswers<TrackingPageStampKey, TrackingPageSubject?>

/// A tracking page's address: the tenant's slug and the shipment's token ("" when ill-formed).
struct TrackingPageStampKey: Hashable, Sendable {
    let slug: String
    let token: String
}

/// A tracking page's tenant and version stamp (nil: the tenant has no such shipment), as read
/// together. A class: a remembered answer is handed to every request that asks, and to
/// `TrackingPageCache`'s key, and copying the two records each time retained and released
/// every string in them.
final class TrackingPageSubject: Hashable, Sendable {
    let tenant: Tenant
    let stamp: TrackingPageStamp?
    /// What tells subjects apart in practice, for hashing: hashing every field of the tenant
    /// and the shipment on each page cache hit cost more than the rest of the lookup.
    private let shipmentID: String?
    private let checkpointCount: Int

    /// `stamp != nil`, without copying the stamp out to compare it.
    var hasShipment: Bool { shipmentID != nil }

    init(tenant: Tenant, stamp: TrackingPageStamp?) {
        self.tenant = tenant
        self.stamp = stamp
        shipmentID = stamp?.shipment.id
        checkpointCount = stamp?.checkpointCount ?? -1
    }

    /// The same object, or one holding equal records.
    static func == (lhs: TrackingPageSubject, rhs: TrackingPageSubject) -> Bool {
        lhs === rhs || (lhs.tenant == rhs.tenant && lhs.stamp == rhs.stamp)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(tenant.id)
        hasher.combine(shipmentID)
        hasher.combine(checkpointCount)
    }
}

extension RecentAnswers<TrackingPageStampKey, TrackingPageSubject?> {
    convenience init(database: any ShipmentStore) {
        // Read again unchanged, the subject stays the same object, so the page cache's key
        // compares it by identity rather than field by field.
        self.init(lifetime: .milliseconds(250), capacity: 10_000, same: { $0 == $1 }) {
            try await database.trackingPageStamp(slug: $0.slug, token: $0.token).map { TrackingPageSubject(tenant: $0, stamp: $1) }
        }
    }
}
