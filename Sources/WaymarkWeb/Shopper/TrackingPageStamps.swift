import WaymarkCore

/// What a tracking page reads first (the tenant and the page's version stamp, or that there is
/// none), remembered while this process commits nothing and for at most a quarter of a second:
/// a page `TrackingPageCache` holds then costs no database read at all. A change made here shows
/// at once; one made by another process (the CLI, another node) within the quarter second.
typealias TrackingPageStamps = RecentAnswers<TrackingPageStampKey, (Tenant, TrackingPageStamp?)?>

/// A tracking page's address: the tenant's slug and the shipment's token ("" when ill-formed).
struct TrackingPageStampKey: Hashable, Sendable {
    let slug: String
    let token: String
}

extension RecentAnswers<TrackingPageStampKey, (Tenant, TrackingPageStamp?)?> {
    convenience init() {
        self.init(lifetime: .milliseconds(250), capacity: 10_000)
    }
}
