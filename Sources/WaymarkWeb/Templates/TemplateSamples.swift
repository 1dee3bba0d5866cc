import Foundation
import WaymarkCore

/// A made-up shipment of the merchant's own, in any status and language, for previews and for
/// the last check on save: every template is rendered with it before it is kept, and must render
/// within `renderLimit`.
public struct TemplateSamples: Sendable {
    let composer: TemplateMessageComposer
    let sections: PageSectionRenderer
    let links: PublicLinks

    /// The longest one render of a merchant's template may take.
    public static let renderLimit = Duration.milliseconds(50)

    public init(composer: TemplateMessageComposer, sections: PageSectionRenderer, links: PublicLinks) {
        self.composer = composer
        self.sections = sections
        self.links = links
    }

    /// The samples over the templates and words in `resourcesPath` (`Views/`, `Locales/`);
    /// `catalog` when the caller has loaded the words already.
    public static func load(resourcesPath: String, links: PublicLinks, catalog loaded: Catalog? = nil) throws -> TemplateSamples {
        let catalog = try loaded ?? Catalog(directory: "\(resourcesPath)/Locales")
        let composer = try TemplateMessageComposer(viewsPath: "\(resourcesPath)/Views", catalog: catalog, links: links, overrides: nil)
        return TemplateSamples(composer: composer, sections: PageSectionRenderer(catalog: catalog), links: links)
    }

    /// Everything that keeps `candidate` from being saved: `TemplateCheck`'s rules, then, when
    /// those pass, a render of the sample shipment within the time limit.
    public func problems(in candidate: TemplateCandidate, tenant: Tenant, now: Date) -> [TemplateProblem] {
        let found = TemplateCheck.problems(in: candidate)
        return found.isEmpty ? renderProblems(of: candidate, tenant: tenant, now: now) : found
    }

    /// The sample shipment in `status`, for a shopper who reads `language`.
    public static func shipment(status: DeliveryStatus, language: String, tenant: Tenant, now: Date) -> TrackedShipment {
        let hour: TimeInterval = 3_600
        let delivered = status == .delivered ? now.addingTimeInterval(-2 * hour) : nil
        let shipment = Shipment(
            id: "shp_sample", tenantID: tenant.id, trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "1001",
            customer: Customer(name: "Sam Shopper", email: "sam@example.com", phone: "+14155550123", locale: language),
            destination: Destination(city: "Portland", region: "OR", postalCode: "97201", country: "US"), status: status,
            eta: status == .delivered ? nil : now.addingTimeInterval(status == .outForDelivery ? 0 : 48 * hour), deliveredAt: delivered,
            lastEventAt: now.addingTimeInterval(-2 * hour), token: "SAMPLESAMPLESAMPLESAMPLE", createdAt: now.addingTimeInterval(-72 * hour),
            updatedAt: now)
        let journey: [(DeliveryStatus, String, TimeInterval)] = [
            (.infoReceived, "Shipping label created", -70 * hour),
            (.inTransit, "Departed facility", -30 * hour),
            (status, Self.carrierWords[status] ?? "Update", -2 * hour),
        ]
        let checkpoints = journey.enumerated().reversed().map { index, step in
            Checkpoint(
                id: Int64(index), shipmentID: shipment.id,
                event: CheckpointEvent(
                    occurredAt: now.addingTimeInterval(step.2), utcOffsetSeconds: -8 * 3_600, status: step.0, substatus: nil,
                    message: step.1, location: Place(city: "Portland", region: "OR", country: "US"), source: "sample"),
                recordedAt: now.addingTimeInterval(step.2))
        }
        return TrackedShipment(shipment: shipment, checkpoints: checkpoints)
    }

    /// What a carrier's scan says in each status, in the carriers' own (English) words.
    static let carrierWords: [DeliveryStatus: String] = [
        .pending: "Awaiting carrier scan", .infoReceived: "Shipping label created", .inTransit: "Arrived at facility",
        .outForDelivery: "Out for delivery", .availableForPickup: "Ready for pickup at UPS Access Point", .attemptFail: "Delivery attempted",
        .delivered: "Delivered, front door", .exception: "Delivery exception: address problem", .expired: "No further updates",
    ]

    /// The message `name` (a template name) about the sample shipment, as the dispatcher would claim it.
    public func claimed(message name: String, channel: NotificationChannel, language: String, tenant: Tenant, now: Date) throws -> ClaimedDelivery {
        let status = DeliveryStatus(rawValue: name) ?? .inTransit
        let tracked = Self.shipment(status: status, language: language, tenant: tenant, now: now)
        let body = WebhookEventBody(
            type: "shipment.status_changed", timestamp: RFC3339.format(now),
            data: ShipmentResource(tracked, baseURL: links.baseURL, tenantSlug: tenant.slug))
        let trigger: String = switch name {
        case "stalled": "stalled:\(Int64(now.timeIntervalSince1970))"
        case "eta_changed": "eta:\(RFC3339.day(now.addingTimeInterval(48 * 3_600)))"
        case "generic": "created"
        default: "status:\(name)"
        }
        let delivery = Delivery(
            id: "msg_sample", tenantID: tenant.id, shipmentID: tracked.shipment.id, channel: channel,
            recipient: channel == .email ? "sam@example.com" : "+14155550123", triggerKey: trigger, eventType: "shipment.status_changed",
            payload: String(decoding: try JSONEncoder().encode(body), as: UTF8.self), nextAttemptAt: now, createdAt: now, updatedAt: now)
        return ClaimedDelivery(
            delivery: delivery, tenant: tenant, settings: NotificationSettings(), endpoint: nil, shipment: tracked.shipment,
            unsubscribeToken: "sample-unsubscribe-token", recipientOptedOut: false)
    }

    /// Renders `candidate` for the sample shipment (a section: in every status) and returns what
    /// went wrong: a render that fails, or one slower than `limit`. A render's time is the fastest
    /// of up to three tries: a template that is slow is slow every time, while a busy machine
    /// (a cold first render, a test run beside a build) slows one try, not three.
    public func renderProblems(
        of candidate: TemplateCandidate, tenant: Tenant, now: Date, limit: Duration = renderLimit
    ) -> [TemplateProblem] {
        let clock = ContinuousClock()
        /// The fastest of up to three runs of `render`, stopping at the first within `limit`.
        func fastest(_ render: () throws -> Void) rethrows -> Duration {
            var best = Duration.zero
            for attempt in 0..<3 {
                let took = try clock.measure(render)
                best = attempt == 0 ? took : min(best, took)
                if best <= limit { break }
            }
            return best
        }
        var slowest = Duration.zero
        do {
            switch candidate.slot.part {
            case .message(let channel, let name):
                let claimed = try claimed(message: name, channel: channel, language: candidate.slot.locale, tenant: tenant, now: now)
                let template = candidate.messageTemplate(tenantID: tenant.id, now: now)
                slowest = try fastest {
                    if channel == .sms { _ = try composer.sms(for: claimed, using: template) } else { _ = try composer.email(for: claimed, using: template) }
                }
            case .page:
                for status in DeliveryStatus.allCases {
                    let tracked = Self.shipment(status: status, language: candidate.slot.locale, tenant: tenant, now: now)
                    let view = sections.view(tenant: tenant, tracked: tracked, language: candidate.slot.locale, prefix: "/\(tenant.slug)")
                    // The timed render is the check's render too; it runs again only when it was slow.
                    var problem: TemplateProblem?
                    let took = fastest { problem = sections.renderProblem(candidate.body, view: view) }
                    if let problem { return [problem] }
                    slowest = max(slowest, took)
                }
            }
        } catch {
            return [TemplateProblem(line: nil, "the template cannot be rendered: \(error)")]
        }
        guard slowest <= limit else {
            let milliseconds = Double(slowest.components.attoseconds) / 1e15 + Double(slowest.components.seconds) * 1_000
            return [TemplateProblem(line: nil, "the template takes \(Int(milliseconds.rounded())) ms to render; at most \(limit) is allowed")]
        }
        return []
    }
}

/// A template as the editor or the CLI holds it before saving: the slot and its texts.
public struct TemplateCandidate: Sendable, Equatable {
    public var slot: TemplateSlot
    /// An email's subject (nil: the default).
    public var subject: String?
    /// The email's HTML, the SMS, or the page section.
    public var body: String
    /// An email's own text part (nil: the default).
    public var textBody: String?

    public init(slot: TemplateSlot, subject: String? = nil, body: String, textBody: String? = nil) {
        self.slot = slot
        self.subject = subject
        self.body = body
        self.textBody = textBody
    }

    /// Each text with the kind it is checked as.
    public var parts: [(kind: TemplateKind, text: String)] {
        [(slot.bodyKind, body)] + (subject.map { [(.emailSubject, $0)] } ?? []) + (textBody.map { [(.emailText, $0)] } ?? [])
    }

    func messageTemplate(tenantID: Int64, now: Date) -> MessageTemplate? {
        guard case .message(let channel, let name) = slot.part else { return nil }
        return MessageTemplate(
            tenantID: tenantID, channel: channel, name: name, locale: slot.locale, subject: subject, body: body, textBody: textBody,
            updatedAt: now)
    }
}
