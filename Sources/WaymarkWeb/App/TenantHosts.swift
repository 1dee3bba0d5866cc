import WaymarkCore

/// Which tenant each custom host name serves, remembered for a few seconds, misses included:
/// without it every request on a host other than the base host costs a query, and a client
/// sending random `Host` headers could make every request cost one. A domain changed in this
/// process is forgotten at once (`forgetAll`); one changed elsewhere (the CLI, another node) is
/// picked up when its entry ages out.
typealias TenantHosts = RecentAnswers<String, String?>

extension RecentAnswers<String, String?> {
    convenience init() {
        self.init(lifetime: .seconds(10), capacity: 10_000)
    }
}
