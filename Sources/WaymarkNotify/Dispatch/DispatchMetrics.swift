import Foundation
import Metrics
import WaymarkCore

/// The dispatcher's numbers, per channel, as Prometheus scrapes them from `/metrics`. Built from
/// an explicit factory so tests read their own registry instead of the process-wide one.
public struct DispatchMetrics: Sendable {
    private let sent: [NotificationChannel: Counter]
    private let failed: [NotificationChannel: Counter]
    private let retried: [NotificationChannel: Counter]
    private let queueDepth: [NotificationChannel: Gauge]
    private let deliveryTime: [NotificationChannel: CoreMetrics.Timer]

    public static let deliveryTimeLabel = "waymark_notification_delivery_seconds"
    /// From sub-second (the usual case) to a day (a delivery that needed the retry schedule).
    public static let deliveryTimeBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        .seconds(300), .seconds(3600), .seconds(6 * 3600), .seconds(86_400),
    ]

    /// `factory` defaults to the one `MetricsSystem.bootstrap` installed (a no-op before that).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        func each<M>(_ make: (NotificationChannel, [(String, String)]) -> M) -> [NotificationChannel: M] {
            Dictionary(uniqueKeysWithValues: NotificationChannel.allCases.map { ($0, make($0, [("channel", $0.rawValue)])) })
        }
        sent = each { Counter(label: "waymark_notifications_sent_total", dimensions: $1, factory: factory) }
        failed = each { Counter(label: "waymark_notifications_failed_total", dimensions: $1, factory: factory) }
        retried = each { Counter(label: "waymark_notifications_retried_total", dimensions: $1, factory: factory) }
        queueDepth = each { Gauge(label: "waymark_notifications_queue_depth", dimensions: $1, factory: factory) }
        deliveryTime = each {
            CoreMetrics.Timer(label: Self.deliveryTimeLabel, dimensions: $1, preferredDisplayUnit: .seconds, factory: factory)
        }
    }

    /// A delivery went out, `age` after the change that caused it was committed.
    func delivered(_ channel: NotificationChannel, age: TimeInterval) {
        sent[channel]?.increment()
        deliveryTime[channel]?.recordSeconds(max(0, age))
    }

    /// An attempt failed and another is scheduled.
    func retried(_ channel: NotificationChannel) { retried[channel]?.increment() }

    /// A delivery failed for good.
    func failed(_ channel: NotificationChannel) { failed[channel]?.increment() }

    func queueDepth(_ depth: [NotificationChannel: Int]) {
        for (channel, gauge) in queueDepth { gauge.record(depth[channel] ?? 0) }
    }
}
