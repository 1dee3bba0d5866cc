import Foundation
import WaymarkCore

/// The ready-to-paste answer to "where is my order?": the tracking link (marked as coming from
/// support) in a sentence of the shopper's language, as plain text and as an HTML snippet for
/// help desks. The admin shows it; `GET /api/v1/shipments/{id}/support-reply` returns it.
struct SupportReply: Encodable, Sendable, Equatable {
    let locale: String
    let tracking_url: String
    let text: String
    let html: String

    static func make(tenant: Tenant, shipment: Shipment, language: String, catalog: Catalog, links: PublicLinks) -> SupportReply {
        let url = links.shopperTrackingURL(tenant, token: shipment.token) + "?\(PageVisitSource.parameter)=\(PageVisitSource.support.rawValue)"
        let sentence = shipment.orderNumber.map { catalog.text("support_reply", language, ["order": $0]) }
            ?? catalog.text("support_reply_no_order", language)
        let parts = sentence.components(separatedBy: "{url}")
        let anchor = "<a href=\"\(XMLText.escape(url))\">\(XMLText.escape(url))</a>"
        return SupportReply(
            locale: language, tracking_url: url, text: parts.joined(separator: url),
            html: "<p>" + parts.map(XMLText.escape).joined(separator: anchor) + "</p>")
    }

    /// The shopper's language (the shipment's locale, else the tenant's), unless `requested` names one of the catalog's.
    static func language(requested: String?, shipment: Shipment, tenant: Tenant) -> String {
        requested.flatMap(ShopperLanguage.match) ?? TemplateMessageComposer.language(customerLocale: shipment.customer.locale, tenant: tenant)
    }
}
