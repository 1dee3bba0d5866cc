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
final class TrackingPageSubject: Equatable, Sendable {
    let tenant: Tenant
    let stamp: TrackingPageStamp?

    init(tenant: Tenant, stamp: TrackingPageStamp?) {
        self.tenant = tenant
        self.stamp = stamp
    }

    static func == (lhs: TrackingPageSubject, rhs: TrackingPageSubject) -> Bool {
        lhs === rhs || (lhs.tenant == rhs.tenant && lhs.stamp == rhs.stamp)
    }
}

extension RecentAnswers<TrackingPageStampKey, TrackingPageSubject?> {
    convenience init() {
        self.init(lifetime: .milliseconds(250), capacity: 10_000)
    }
}
