import Foundation

/// A search of the support workspace: free text matched against order number, tracking number,
/// email and phone (exact, or by prefix from three characters on), with filters, a sort and a
/// cursor.
public struct ShipmentSearch: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case newest, oldest
    }

    /// The dashboard's "needs attention" lists.
    public enum Attention: String, Sendable, CaseIterable {
        /// Active, with no update for longer than the tenant's stalled threshold.
        case stalled
        /// With a message that failed for good.
        case failedMessages = "failed_messages"
    }

    public var text: String?
    public var status: DeliveryStatus?
    public var attention: Attention?
    public var carrier: String?
    public var sort: Sort
    /// The cursor of the last row of the previous page.
    public var after: ShipmentCursor?
    public var limit: Int
    /// "Now", for the stalled list.
    public var asOf: Date

    public init(
        text: String? = nil, status: DeliveryStatus? = nil, attention: Attention? = nil, carrier: String? = nil, sort: Sort = .newest,
        after: ShipmentCursor? = nil, limit: Int = 25, asOf: Date = Date()
    ) {
        self.asOf = asOf
        self.text = text
        self.status = status
        self.attention = attention
        self.carrier = carrier
        self.sort = sort
        self.after = after
        self.limit = limit
    }

    /// The text as the start of an international phone number (`+` and digits, separators
    /// dropped, a missing `+` added), or nil when it is not one.
    public static func phonePrefix(_ text: String) -> String? {
        let dialled = text.filter { !" -().".contains($0) }
        let digits = dialled.hasPrefix("+") ? dialled.dropFirst() : Substring(dialled)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return "+" + digits
    }

    /// Shorter text is only matched exactly: a prefix of one or two characters would match most
    /// of a large store.
    public static let shortestPrefix = 3
}

/// What the dashboard shows for one tenant.
public struct DashboardFigures: Sendable, Equatable {
    public struct ChannelFigures: Sendable, Equatable {
        public var sent: Int
        public var failed: Int

        package init(sent: Int, failed: Int) {
            self.sent = sent
            self.failed = failed
        }
    }

    /// Active shipments by status.
    public var byStatus: [DeliveryStatus: Int]
    /// Active shipments whose last update is older than the tenant's stalled threshold.
    public var stalled: Int
    /// Deliveries that failed for good in the window.
    public var failedDeliveries: Int
    /// Messages sent and failed per channel in the window.
    public var channels: [NotificationChannel: ChannelFigures]
    /// Tracking-page views per UTC day in the window, oldest first, one entry per day.
    public var pageViews: [(day: String, views: Int, fromMessages: Int)]
    /// Shipments created in the window.
    public var shipmentsInWindow: Int
    /// Of those: whose shopper got an email or text before the page was first opened (or never opened it).
    public var messagedBeforeFirstView: Int
    /// Of those: whose page was opened at least once.
    public var viewed: Int
    /// Of those: whose page was opened from a message's link.
    public var viewedFromMessage: Int
    /// Each after-delivery link with its clicks in the window, in page order.
    public var linkClicks: [LinkClicks]

    public struct LinkClicks: Sendable, Equatable {
        public var link: AfterDeliveryLink
        public var clicks: Int

        package init(link: AfterDeliveryLink, clicks: Int) {
            self.link = link
            self.clicks = clicks
        }
    }

    package init(
        byStatus: [DeliveryStatus: Int], stalled: Int, failedDeliveries: Int, channels: [NotificationChannel: ChannelFigures],
        pageViews: [(day: String, views: Int, fromMessages: Int)], shipmentsInWindow: Int, messagedBeforeFirstView: Int, viewed: Int,
        viewedFromMessage: Int, linkClicks: [LinkClicks] = []
    ) {
        self.linkClicks = linkClicks
        self.byStatus = byStatus
        self.stalled = stalled
        self.failedDeliveries = failedDeliveries
        self.channels = channels
        self.pageViews = pageViews
        self.shipmentsInWindow = shipmentsInWindow
        self.messagedBeforeFirstView = messagedBeforeFirstView
        self.viewed = viewed
        self.viewedFromMessage = viewedFromMessage
    }

    public static func == (lhs: DashboardFigures, rhs: DashboardFigures) -> Bool {
        lhs.byStatus == rhs.byStatus && lhs.stalled == rhs.stalled && lhs.failedDeliveries == rhs.failedDeliveries
            && lhs.channels == rhs.channels && lhs.shipmentsInWindow == rhs.shipmentsInWindow
            && lhs.messagedBeforeFirstView == rhs.messagedBeforeFirstView && lhs.viewed == rhs.viewed
            && lhs.viewedFromMessage == rhs.viewedFromMessage && lhs.linkClicks == rhs.linkClicks
            && lhs.pageViews.map { "\($0.day)|\($0.views)|\($0.fromMessages)" } == rhs.pageViews.map { "\($0.day)|\($0.views)|\($0.fromMessages)" }
    }

    /// The dashboard's window.
    public static let windowDays = 30
}

/// Where a shopper came to a tracking page from: the `src` marker on the links Waymark writes
/// (`ShopperMessageView.trackURL` for emails and texts, `SupportReply` for agents' replies).
public enum PageVisitSource: String, Sendable, CaseIterable {
    case email, sms, support

    /// Opened from a proactive message (not a reply an agent pasted).
    public var isProactive: Bool { self != .support }

    /// The query parameter a link carries.
    public static let parameter = "src"
}

/// Page views counted in memory since the last flush: per tracking token, and per tenant and day.
public struct PageViewBatch: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var views = 0
        public var fromMessages = 0
        public var first: Date
        public var last: Date

        public init(views: Int = 0, fromMessages: Int = 0, first: Date, last: Date) {
            self.views = views
            self.fromMessages = fromMessages
            self.first = first
            self.last = last
        }
    }

    public var byToken: [String: Count] = [:]
    public var byTenantDay: [PageDay: Count] = [:]

    public struct PageDay: Sendable, Hashable {
        public var tenantID: Int64
        public var day: String

        public init(tenantID: Int64, day: String) {
            self.tenantID = tenantID
            self.day = day
        }
    }

    public init() {}

    public var isEmpty: Bool { byToken.isEmpty && byTenantDay.isEmpty }
}
