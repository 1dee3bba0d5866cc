import WaymarkCore

/// Which tenant each custom host name serves, remembered for a few seconds, misses included:
/// without it every request on a host other than the base host costs a query, and a client
/// sending random `Host` headers could make every request cost one. A domain changed in this
/// process, or on another node of a PostgreSQL install, is forgotten at once (the store's
/// `localSettingsCommits` moves); one changed by the CLI is picked up when its entry ages out.
typealias TenantHosts = RecentAnswers<String, String?>

extension RecentAnswers<String, String?> {
    convenience init(database: any TenantStore) {
        self.init(lifetime: .seconds(10), capacity: 10_000) { try await database.tenant(customDomain: $0)?.slug }
    }
}
