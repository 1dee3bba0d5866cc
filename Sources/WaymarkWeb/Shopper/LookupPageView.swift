import WaymarkCore

/// The model of the lookup page, with what the shopper typed echoed back on a miss.
struct LookupPageView: Encodable {
    let layout: LayoutView
    let t: [String: String]
    let actionURL: String
    let message: String?
    let orderNumber: String
    let email: String
    let postalCode: String
    let trackingNumber: String

    static func make(
        tenant: Tenant, language: String, catalog: Catalog, prefix: String, form: LookupForm = LookupForm(), message: String? = nil
    ) -> LookupPageView {
        let title = catalog.text("page_title_lookup", language, ["merchant": tenant.name])
        return LookupPageView(
            layout: .branded(
                tenant: tenant, language: language, title: title, description: catalog.text("lookup_intro", language),
                prefix: prefix, path: SiteRoute.lookupPage.shopperPath(prefix: prefix), catalog: catalog),
            t: catalog.table(language),
            actionURL: SiteRoute.lookup.shopperPath(prefix: prefix) + "?lang=\(language)",
            message: message,
            orderNumber: form.order_number ?? "",
            email: form.email ?? "",
            postalCode: form.postal_code ?? "",
            trackingNumber: form.tracking_number ?? "")
    }
}

/// The lookup form's fields, as posted (`application/x-www-form-urlencoded`).
struct LookupForm: Decodable, Sendable {
    var order_number: String?
    var email: String?
    var postal_code: String?
    var tracking_number: String?

    init(order_number: String? = nil, email: String? = nil, postal_code: String? = nil, tracking_number: String? = nil) {
        self.order_number = order_number
        self.email = email
        self.postal_code = postal_code
        self.tracking_number = tracking_number
    }

    /// Non-empty trimmed value of a field, capped so a huge field can't reach the database.
    static func clean(_ value: String?) -> String? {
        guard let text = value?.trimmingWhitespace, !text.isEmpty, text.count <= 254 else { return nil }
        return text
    }
}

/// The branded "no such tracking page" page.
struct NotFoundPageView: Encodable {
    let layout: LayoutView
    let t: [String: String]
    let lookupURL: String

    static func make(tenant: Tenant, language: String, catalog: Catalog, prefix: String, path: String) -> NotFoundPageView {
        let title = catalog.text("not_found_title", language)
        return NotFoundPageView(
            layout: .branded(
                tenant: tenant, language: language, title: title, description: title, prefix: prefix, path: path, catalog: catalog),
            t: catalog.table(language),
            lookupURL: SiteRoute.lookupPage.shopperPath(prefix: prefix))
    }
}
