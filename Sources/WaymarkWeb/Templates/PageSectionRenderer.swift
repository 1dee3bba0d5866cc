import Foundation
import Mustache
import WaymarkCore

/// What a merchant's own section of the tracking page may show (`TemplateVocabulary.pageSection`
/// lists the same names), taken from the page's own model so the section says what the page says.
struct PageSectionView: Encodable {
    let lang: String
    let merchantName: String
    let logoURL: String?
    let homeURL: String
    let supportURL: String?
    let supportLabel: String?
    let questions: String
    let brandColor: String
    let brandTextColor: String
    /// The status's code (`out_for_delivery`), for sections that differ by status.
    let status: String
    let headline: String
    let delivered: Bool
    let trackingNumber: String
    let orderNumber: String?
    let carrierName: String?
    /// The page itself (its path on the merchant's site).
    let pageURL: String
}

/// The tracking page's sections as HTML, ready for the layout; nil leaves Waymark's own.
struct RenderedSections: Encodable, Hashable {
    var header: String?
    var banner: String?
    var afterDelivery: String?
    var footer: String?
}

/// Renders a merchant's page sections. Their text was checked when it was saved
/// (`TemplateCheck`); one that still fails to parse is left out and Waymark's own part shows.
public struct PageSectionRenderer: Sendable {
    let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    func view(page: TrackingPageView, tenant: Tenant, tracked: TrackedShipment, language: String, prefix: String) -> PageSectionView {
        let palette = BrandPalette(tenant.branding)
        let shipment = tracked.shipment
        return PageSectionView(
            lang: language, merchantName: tenant.name, logoURL: page.layout.logoURL, homeURL: page.lookupURL,
            supportURL: page.layout.supportURL, supportLabel: page.layout.supportLabel, questions: page.t["footer_questions"] ?? "",
            brandColor: palette.brand.description, brandTextColor: palette.brandContrast.description, status: shipment.status.rawValue,
            headline: page.headline, delivered: shipment.status == .delivered, trackingNumber: shipment.trackingNumber,
            orderNumber: page.orderHeading == nil ? nil : shipment.orderNumber, carrierName: page.carrierName,
            pageURL: SiteRoute.trackingPage.shopperPath(prefix: prefix, shipment.token))
    }

    /// The view of the sample shipment's page, for previews and checks.
    func view(tenant: Tenant, tracked: TrackedShipment, language: String, prefix: String, now: Date = Date()) -> PageSectionView {
        let page = TrackingPageView.make(tenant: tenant, tracked: tracked, language: language, catalog: catalog, prefix: prefix, showOrder: true, now: now)
        return view(page: page, tenant: tenant, tracked: tracked, language: language, prefix: prefix)
    }

    /// The tenant's sections rendered for this page; the after-delivery one only once delivered.
    func render(_ sections: [PageSection: String], view: PageSectionView) -> RenderedSections {
        let tree = TemplateTree.make(view)
        func rendered(_ section: PageSection) -> String? {
            guard let text = sections[section], let template = try? MustacheTemplate(string: text) else { return nil }
            return template.render(tree)
        }
        return RenderedSections(
            header: rendered(.header), banner: rendered(.banner), afterDelivery: view.delivered ? rendered(.afterDelivery) : nil,
            footer: rendered(.footer))
    }

    /// The section `text` as HTML for `view`, for the editor's preview.
    func html(_ text: String, view: PageSectionView) throws -> String {
        try MustacheTemplate(string: text).render(TemplateTree.make(view))
    }

    /// Why `text` cannot be rendered for `view`, if it cannot.
    func renderProblem(_ text: String, view: PageSectionView) -> TemplateProblem? {
        do {
            _ = try html(text, view: view)
            return nil
        } catch {
            return TemplateProblem(line: nil, "the section cannot be rendered: \(error)")
        }
    }
}
