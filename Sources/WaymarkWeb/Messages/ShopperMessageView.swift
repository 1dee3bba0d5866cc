import Foundation
import WaymarkCore

/// What a shopper email or text may show, and nothing else: the fields a tenant's own template
/// can use. Built from the shipment as it was frozen in the outbox, so the message tells what
/// happened then. Deliberately without the street address, phone number or the shopper's name:
/// a forwarded or misdirected message reveals no more than the tracking page does.
struct ShopperMessageView: Encodable {
    let lang: String
    /// The final subject, also the HTML `<title>`; set by the composer once rendered.
    var subject: String
    let preheader: String
    let merchantName: String
    let logoURL: String?
    let brandColor: String
    let brandTextColor: String
    let headline: String
    let intro: String
    /// The substatus in plain words ("Left with a neighbour"), when there is one.
    let substatus: String?
    let latest: LatestCheckpoint?
    let estimate: Estimate?
    let orderHeading: String?
    let trackingNumberLabel: String
    let trackingNumber: String
    let carrierLabel: String
    let carrierName: String?
    let pickupLabel: String
    /// Where the latest scan happened: the pickup point, for `available_for_pickup`.
    let pickupPlace: String?
    /// The tracking page with `?src=email` or `?src=sms`.
    let trackURL: String
    let trackButton: String
    let questions: String
    let supportURL: String?
    let supportLabel: String
    let whyText: String
    let unsubscribeURL: String?
    let unsubscribeLabel: String
    /// The one-line SMS wording for this trigger.
    let line: String

    struct LatestCheckpoint: Encodable {
        let heading: String
        let message: String
        /// Local time where the scan happened, in the shopper's language.
        let when: String
        let place: String?
    }

    struct Estimate: Encodable {
        let label: String
        let value: String
    }

    /// - Parameters:
    ///   - name: the template name the words are taken for (`out_for_delivery`, `generic`).
    ///   - trackingURL: the shopper's tracking page, without `?src=`.
    ///   - source: `email` or `sms`, added to the tracking link as `?src=`.
    ///   - logoURL: the tenant's logo as an absolute URL (`PublicLinks.logoURL`); only https is shown.
    static func make(
        body: WebhookEventBody, name: String, substatus: Substatus?, tenant: Tenant, language: String, catalog: Catalog,
        trackingURL: String, unsubscribeURL: String?, source: String, logoURL: String?
    ) -> ShopperMessageView {
        let shipment = body.data
        let t = catalog.table(language)
        let format = LocalFormat(language: language)
        let palette = BrandPalette(tenant.branding)
        let merchant = tenant.name
        let headline = t["email.\(name).headline"] ?? ""
        let intro = catalog.text("email.\(name).intro", language, ["merchant": merchant])

        let newest = shipment.checkpoints.first
        let newestTime = newest.flatMap { RFC3339.parse($0.occurred_at) }
        let latest = newest.map { checkpoint in
            LatestCheckpoint(
                heading: t["email.latest_update"] ?? "", message: checkpoint.message,
                when: newestTime.map { format.eventTime($0.date, utcOffsetSeconds: $0.utcOffsetSeconds) } ?? "",
                place: format.place(checkpoint.location))
        }

        var estimate: Estimate?
        if let status = DeliveryStatus(rawValue: shipment.status) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = .gmt
            let now = RFC3339.parse(body.timestamp)?.date ?? Date()
            let eta = shipment.eta.flatMap(RFC3339.parseDay)
            let deliveredAt = shipment.delivered_at.flatMap(RFC3339.parse)?.date
            switch DeliveryEstimate.describe(status: status, eta: eta, deliveredAt: deliveredAt, now: now, calendar: calendar) {
            case .deliveredOn(let date):
                estimate = Estimate(label: t["eta_delivered_on"] ?? "", value: format.eventTime(date, utcOffsetSeconds: newestTime?.utcOffsetSeconds))
            case .expected(let date), .late(let date):
                estimate = Estimate(label: t["eta_expected"] ?? "", value: format.day(date))
            case .unknown:
                estimate = Estimate(label: t["eta_expected"] ?? "", value: t["eta_unknown"] ?? "")
            case .none:
                estimate = nil
            }
        }

        let substatusLabel = (substatus ?? shipment.substatus.flatMap { try? Substatus(parsing: $0) })
            .flatMap { t["substatus_\($0.status.rawValue)_\($0.reason)"] }
        let separator = trackingURL.contains("?") ? "&" : "?"
        return ShopperMessageView(
            lang: language,
            subject: "",
            preheader: intro,
            merchantName: merchant,
            // Only https: mail clients block other images, and a data: or javascript: URL has no place here.
            logoURL: logoURL.flatMap { $0.lowercased().hasPrefix("https://") ? $0 : nil },
            brandColor: palette.brand.description,
            brandTextColor: palette.brandContrast.description,
            headline: headline,
            intro: intro,
            substatus: substatusLabel,
            latest: latest,
            estimate: estimate,
            orderHeading: shipment.order_number.map { catalog.text("order_heading", language, ["order": $0]) },
            trackingNumberLabel: t["tracking_number_label"] ?? "",
            trackingNumber: shipment.tracking_number,
            carrierLabel: t["carrier_label"] ?? "",
            carrierName: shipment.carrier_name,
            pickupLabel: t["email.pickup_at"] ?? "",
            pickupPlace: latest?.place,
            trackURL: trackingURL + separator + "src=" + source,
            trackButton: t["email.track_button"] ?? "",
            questions: t["footer_questions"] ?? "",
            supportURL: tenant.branding.supportLink,
            supportLabel: catalog.text("contact_support", language, ["merchant": merchant]),
            whyText: catalog.text("email.why", language, ["merchant": merchant]),
            unsubscribeURL: unsubscribeURL,
            unsubscribeLabel: t["email.unsubscribe"] ?? "",
            line: t["sms.\(name)"] ?? "")
    }

    /// The default subject: the headline with the order number, or with the merchant's name.
    func defaultSubject(catalog: Catalog, order: String?) -> String {
        if let order {
            return catalog.text("email.subject", lang, ["headline": headline, "order": order])
        }
        return catalog.text("email.subject_no_order", lang, ["headline": headline, "merchant": merchantName])
    }
}
