import Foundation
import WaymarkCore

/// The model of the tracking page: plain strings and flags, built from a shipment by `make`,
/// so the page can be rendered (and snapshot-tested) without a database or a server.
struct TrackingPageView: Encodable {
    var layout: LayoutView
    let t: [String: String]
    let statusClass: String
    let headline: String
    let detail: String
    let substatusLabel: String?
    let interrupted: Bool
    let steps: [Step]
    let estimate: Estimate?
    let orderHeading: String?
    let trackingNumber: String
    let carrierName: String?
    let carrierURL: String?
    let carrierLinkText: String?
    let destination: String?
    let checkpoints: [CheckpointRow]
    let hasCheckpoints: Bool
    let lookupURL: String
    /// The "get updates by email or text" form; only on the secret-link page, where the
    /// shopper has proved they may follow this shipment.
    var subscribe: SubscribeFormView?
    /// The merchant's after-delivery section (its own HTML), once delivered.
    var afterDelivery: String? = nil
    /// The merchant's review and product links, once delivered.
    var afterLinks: AfterLinksView? = nil

    struct Step: Encodable {
        let label: String
        let state: String
        let stateLabel: String
        let current: Bool
    }

    struct Estimate: Encodable {
        let label: String
        let value: String
        /// nil when there is no date to mark up.
        let datetime: String?
        let late: Bool
        let note: String?
    }

    struct CheckpointRow: Encodable {
        let datetime: String
        let when: String
        let message: String
        let place: String?
        let status: String
        let latest: Bool
    }

    /// - Parameters:
    ///   - showOrder: false when the shopper proved only the tracking number: the order number and
    ///     the secret link stay private (the language menu then points at the lookup page).
    static func make(
        tenant: Tenant, tracked: TrackedShipment, language: String, catalog: Catalog, prefix: String,
        showOrder: Bool, now: Date
    ) -> TrackingPageView {
        let shipment = tracked.shipment
        let t = catalog.table(language)
        let format = LocalFormat(language: language)
        let status = shipment.status
        let headline = t["status_\(status.rawValue)"] ?? status.rawValue
        let carrier = CarrierRegistry.carrier(code: shipment.carrier)
        let order = showOrder ? shipment.orderNumber : nil

        let steps = Milestone.steps(for: status).map { milestone, state in
            Step(
                label: t["milestone_\(milestone.rawValue)"] ?? milestone.rawValue, state: state.rawValue,
                stateLabel: t["step_\(state.rawValue)"] ?? state.rawValue, current: state == .current)
        }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let estimate: Estimate? = switch DeliveryEstimate.describe(
            status: status, eta: shipment.eta, deliveredAt: shipment.deliveredAt, now: now, calendar: calendar)
        {
        case .deliveredOn(let date):
            Estimate(
                label: t["eta_delivered_on"] ?? "", value: format.eventTime(date, utcOffsetSeconds: newestOffset(tracked)),
                datetime: RFC3339.format(date, utcOffsetSeconds: newestOffset(tracked)), late: false, note: nil)
        case .expected(let date):
            Estimate(label: t["eta_expected"] ?? "", value: format.day(date), datetime: RFC3339.day(date), late: false, note: nil)
        case .late(let date):
            Estimate(
                label: t["eta_expected"] ?? "", value: format.day(date), datetime: RFC3339.day(date), late: true,
                note: catalog.text("eta_late", language, ["date": format.day(date)]))
        case .unknown:
            Estimate(label: t["eta_expected"] ?? "", value: t["eta_unknown"] ?? "", datetime: nil, late: false, note: nil)
        case .none:
            nil
        }

        let timeline = tracked.checkpoints.enumerated().map { index, checkpoint in
            let event = checkpoint.event
            return CheckpointRow(
                datetime: RFC3339.format(event.occurredAt, utcOffsetSeconds: event.utcOffsetSeconds),
                when: format.eventTime(event.occurredAt, utcOffsetSeconds: event.utcOffsetSeconds),
                message: event.message, place: format.place(event.location), status: event.status.rawValue, latest: index == 0)
        }

        let title = order.map { catalog.text("page_title_tracking", language, ["status": headline, "order": $0, "merchant": tenant.name]) }
            ?? catalog.text("page_title_tracking_no_order", language, ["status": headline, "merchant": tenant.name])
        let destinationPlace = Place(city: shipment.destination.city, region: shipment.destination.region, country: shipment.destination.country)

        var view = TrackingPageView(
            layout: .branded(
                tenant: tenant, language: language, title: title, description: t["status_detail_\(status.rawValue)"] ?? "",
                prefix: prefix,
                path: showOrder ? SiteRoute.trackingPage.shopperPath(prefix: prefix, shipment.token) : SiteRoute.lookupPage.shopperPath(prefix: prefix),
                catalog: catalog),
            t: t,
            statusClass: status.rawValue.replacingOccurrences(of: "_", with: "-"),
            headline: headline,
            detail: t["status_detail_\(status.rawValue)"] ?? "",
            substatusLabel: shipment.substatus.flatMap { t["substatus_\($0.status.rawValue)_\($0.reason)"] },
            interrupted: Milestone.isInterrupted(status),
            steps: steps,
            estimate: estimate,
            orderHeading: order.map { catalog.text("order_heading", language, ["order": $0]) },
            trackingNumber: shipment.trackingNumber,
            carrierName: carrier?.name,
            carrierURL: carrier?.trackingURL(for: shipment.trackingNumber),
            carrierLinkText: carrier.map { catalog.text("track_on_carrier", language, ["carrier": $0.name]) },
            destination: format.place(destinationPlace),
            checkpoints: timeline,
            hasCheckpoints: !timeline.isEmpty,
            lookupURL: SiteRoute.lookupPage.shopperPath(prefix: prefix),
            subscribe: showOrder && tenant.selfSubscription
                ? SubscribeFormView.make(catalog: catalog, language: language, actionURL: SiteRoute.subscribe.shopperPath(prefix: prefix, shipment.token) + "?lang=\(language)")
                : nil)
        view.layout.announcement = tenant.branding.announcement(on: RFC3339.day(now))?.text
        return view
    }

    /// The merchant's own sections, in place of Waymark's header, footer and empty banner.
    mutating func apply(_ sections: RenderedSections) {
        layout.sections = sections
        afterDelivery = sections.afterDelivery
    }

    private static func newestOffset(_ tracked: TrackedShipment) -> Int? {
        tracked.checkpoints.first?.event.utcOffsetSeconds
    }
}

/// The review link and product links of a delivered page, each through the counting redirect.
struct AfterLinksView: Encodable {
    let heading: String
    let review: Item?
    let products: [Item]
    let hasProducts: Bool

    struct Item: Encodable {
        let href: String
        let title: String
        let image: String?
    }

    /// Nil when the merchant has no links.
    static func make(_ links: [AfterDeliveryLink], heading: String, prefix: String) -> AfterLinksView? {
        guard !links.isEmpty else { return nil }
        let items = links.map { link in
            (link.kind, Item(href: SiteRoute.afterDeliveryClick.shopperPath(prefix: prefix, String(link.id)), title: link.title, image: link.imageURL))
        }
        let products = items.filter { $0.0 == .product }.map(\.1)
        return AfterLinksView(heading: heading, review: items.first { $0.0 == .review }?.1, products: products, hasProducts: !products.isEmpty)
    }
}
