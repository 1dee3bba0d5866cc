import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `/admin`: shipments by status, what needs attention, messages per channel, page views as a
/// chart drawn on the server, how many "where is my order?" questions were answered before
/// they were asked, and the clicks on delivered pages' review and product links.
struct AdminDashboardController {
    let site: AdminSite

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.admin, .get, mountedAt: .admin, use: dashboard)
    }

    struct Figure: Encodable {
        let label: String
        let count: Int
        let href: String?
    }

    struct ChannelRow: Encodable {
        let channel: String
        let sent: Int
        let failed: Int
    }

    struct Page: Encodable {
        let statuses: [Figure]
        let attention: [Figure]
        let channels: [ChannelRow]
        let chart: PageViewChart
        let shipments: Int
        let deflection: String
        let fromMessages: String
        let deflectionExplained: String
        let fromMessagesExplained: String
        let linkClicks: [LinkRow]
        let hasLinks: Bool
        let linksURL = SiteRoute.adminAfterDelivery.path()
    }

    struct LinkRow: Encodable {
        let title: String
        let url: String
        let clicks: Int
    }

    @Sendable func dashboard(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        // An agent's home is the support workspace.
        guard session.role.allows(.admin) else { return AdminSite.seeOther(SiteRoute.adminShipments.path()) }
        let figures = try await site.database.dashboard(tenantID: session.tenant.id, now: site.now())
        let language = context.adminLanguage
        let list = SiteRoute.adminShipments.path()
        let statuses = DeliveryStatus.allCases.map { status in
            Figure(label: site.catalog.text("status_\(status.rawValue)", language), count: figures.byStatus[status] ?? 0, href: "\(list)?status=\(status.rawValue)")
        }
        let attention = [
            Figure(label: site.text("attention_exceptions", context), count: figures.byStatus[.exception] ?? 0, href: "\(list)?status=exception"),
            Figure(label: site.text("attention_attempts", context), count: figures.byStatus[.attemptFail] ?? 0, href: "\(list)?status=attempt_fail"),
            Figure(label: site.text("attention_stalled", context), count: figures.stalled, href: "\(list)?attention=stalled"),
            Figure(label: site.text("attention_failed_messages", context), count: figures.failedDeliveries, href: "\(list)?attention=failed_messages"),
        ]
        let channels = NotificationChannel.allCases.map { channel in
            ChannelRow(channel: site.text("channel_\(channel.rawValue)", context), sent: figures.channels[channel]?.sent ?? 0, failed: figures.channels[channel]?.failed ?? 0)
        }
        func share(_ part: Int, of whole: Int) -> String {
            whole == 0 ? "–" : "\(Int((Double(part) / Double(whole) * 100).rounded())) %"
        }
        let days = String(DashboardFigures.windowDays)
        let page = Page(
            statuses: statuses, attention: attention, channels: channels,
            chart: PageViewChart(figures.pageViews, title: site.text("chart_title", context, ["days": days]),
                                 description: site.text("chart_description", context, ["days": days, "total": String(figures.pageViews.reduce(0) { $0 + $1.views })])),
            shipments: figures.shipmentsInWindow,
            deflection: share(figures.messagedBeforeFirstView, of: figures.shipmentsInWindow),
            fromMessages: share(figures.viewedFromMessage, of: figures.viewed),
            deflectionExplained: site.text("deflection_explained", context, [
                "count": String(figures.messagedBeforeFirstView), "total": String(figures.shipmentsInWindow), "days": days]),
            fromMessagesExplained: site.text("from_messages_explained", context, [
                "count": String(figures.viewedFromMessage), "total": String(figures.viewed)]),
            linkClicks: figures.linkClicks.map { LinkRow(title: $0.link.title, url: $0.link.url, clicks: $0.clicks) },
            hasLinks: !figures.linkClicks.isEmpty)
        return try await site.render("admin/dashboard", title: "dashboard_title", page, context: context, request: request)
    }
}

/// Page views per day as an SVG bar chart the server draws: no script, a title and a
/// description for assistive technology, and the same figures as a table beside it.
struct PageViewChart: Encodable {
    struct Bar: Encodable {
        let x: Int
        let y: Int
        let height: Int
        let day: String
        let views: Int
        let fromMessages: Int
    }

    let title: String
    let description: String
    let width = 600
    let height = 160
    let barWidth: Int
    let bars: [Bar]
    let max: Int
    /// The first and last day, under the axis.
    let firstDay: String
    let lastDay: String

    init(_ days: [(day: String, views: Int, fromMessages: Int)], title: String, description: String) {
        self.title = title
        self.description = description
        let top = Swift.max(1, days.map(\.views).max() ?? 0)
        let slot = days.isEmpty ? width : width / days.count
        barWidth = Swift.max(1, slot - 4)
        let plot = height - 20
        bars = days.enumerated().map { index, day in
            let barHeight = day.views == 0 ? 0 : Swift.max(2, day.views * plot / top)
            return Bar(x: index * slot + 2, y: plot - barHeight, height: barHeight, day: day.day, views: day.views, fromMessages: day.fromMessages)
        }
        max = days.map(\.views).max() ?? 0
        firstDay = days.first?.day ?? ""
        lastDay = days.last?.day ?? ""
    }
}
