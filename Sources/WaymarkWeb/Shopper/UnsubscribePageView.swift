import WaymarkCore

/// The model of the unsubscribe page: the two choices (stop this shipment's updates, stop
/// everything from the merchant) as plain form posts, or, once done, what happened.
struct UnsubscribePageView: Encodable {
    let layout: LayoutView
    let t: [String: String]
    let heading: String
    let intro: String?
    let actionURL: String
    let stopShipment: String
    let stopAll: String
    /// Set after a POST: what the shopper is now unsubscribed from. Hides the buttons.
    let outcome: String?
    /// A POST that chose nothing.
    let message: String?

    static func make(
        tenant: Tenant, language: String, catalog: Catalog, prefix: String, token: String,
        done: UnsubscribeChoice? = nil, message: String? = nil
    ) -> UnsubscribePageView {
        let merchant = ["merchant": tenant.name]
        let path = SiteRoute.unsubscribe.shopperPath(prefix: prefix, token)
        let title = catalog.text(done == nil ? "unsubscribe.heading" : "unsubscribe.done_heading", language, merchant)
        return UnsubscribePageView(
            layout: .branded(
                tenant: tenant, language: language, title: title, description: title, prefix: prefix, path: path, catalog: catalog),
            t: catalog.table(language),
            heading: title,
            intro: done == nil ? catalog.text("unsubscribe.intro", language, merchant) : nil,
            actionURL: "\(path)?lang=\(language)",
            stopShipment: catalog.text("unsubscribe.stop_shipment", language, merchant),
            stopAll: catalog.text("unsubscribe.stop_all", language, merchant),
            outcome: done.map { catalog.text($0 == .everything ? "unsubscribe.done_all" : "unsubscribe.done_shipment", language, merchant) },
            message: message)
    }
}
