import WaymarkNotify

extension URLCheck {
    /// Nil when `value` may be a link a merchant puts in front of shoppers (support page, logo,
    /// review and product links): https, and an address the outbound check accepts (no loopback
    /// or private host); else what is wrong with it.
    func merchantLinkProblem(_ value: String) -> String? {
        guard value.lowercased().hasPrefix("https://") else { return "use an https:// address" }
        do {
            _ = try checkAtSaveTime(value)
            return nil
        } catch {
            return error.description
        }
    }
}
