import Foundation
import PostgresNIO
import WaymarkCore

// The support workspace and the dashboard on PostgreSQL: the same promises as `Support.swift`
// (and `recordLinkClicks` of `AfterDeliveryLinks.swift`) for SQLite.

extension PostgresStore: SupportStore {
    public func searchShipments(tenantID: Int64, _ search: ShipmentSearch) async throws -> [Shipment] {
        var query = FilteredQuery("SELECT shipment.* FROM shipment WHERE shipment.tenant_id = ", tenantID)
        if let text = search.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            // Each term through its own index, exactly or, from `shortestPrefix` characters, by
            // prefix (the columns collate as "C", so a range is a prefix, as on SQLite).
            var terms: [(column: String, value: String)] = Set([text, text.uppercased()]).sorted().map { ("order_number", $0) }
            terms.append(("tracking_number", TrackingUpdate.normalize(text)))
            terms.append(("lower(customer_email)", text.lowercased()))
            if let phone = ShipmentSearch.phonePrefix(text) { terms.append(("customer_phone", phone)) }
            query.sql += " AND shipment.id IN ("
            for (index, term) in terms.enumerated() {
                let select = (index > 0 ? " UNION " : "") + "SELECT id FROM shipment WHERE tenant_id = "
                query.add(select, tenantID)
                if term.value.count >= ShipmentSearch.shortestPrefix {
                    query.add(" AND \(term.column) >= ", term.value)
                    query.add(" AND \(term.column) < ", term.value + "\u{10FFFF}")
                } else {
                    query.add(" AND \(term.column) = ", term.value)
                }
            }
            query.sql += ")"
        }
        if let status = search.status { query.add(" AND shipment.status = ", status.rawValue) }
        switch search.attention {
        case .stalled?:
            query.sql += """
                 AND shipment.archived_at IS NULL
                 AND shipment.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
                """
            query.add(" AND shipment.last_event_at <= ", search.asOf)
            query.add(" - make_interval(days => (SELECT stalled_after_days FROM tenant WHERE id = ", tenantID, "))")
        case .failedMessages?:
            query.add(" AND shipment.id IN (SELECT shipment_id FROM delivery WHERE tenant_id = ", tenantID, " AND state = 'failed')")
        case nil: break
        }
        if let carrier = search.carrier { query.add(" AND shipment.carrier = ", carrier.lowercased()) }
        let newest = search.sort == .newest
        if let cursor = search.after {
            query.add(newest ? " AND (shipment.created_at < " : " AND (shipment.created_at > ", cursor.createdAt)
            query.add(" OR (shipment.created_at = ", cursor.createdAt)
            query.add(newest ? " AND shipment.id < " : " AND shipment.id > ", cursor.id, "))")
        }
        query.sql += newest ? " ORDER BY shipment.created_at DESC, shipment.id DESC" : " ORDER BY shipment.created_at, shipment.id"
        query.add(" LIMIT ", search.limit)
        let statement = query.query
        return try await run { c in try await c.run(statement).records(ShipmentRecord.self).map { try $0.shipment() } }
    }

    public func carriersInUse(tenantID: Int64) async throws -> [String] {
        // One index seek per carrier: a loose index scan written as a recursive query.
        try await run { c in
            try await c.run("""
                WITH RECURSIVE used(carrier) AS (
                    SELECT min(carrier) FROM shipment WHERE tenant_id = \(tenantID)
                    UNION ALL
                    SELECT (SELECT min(carrier) FROM shipment WHERE tenant_id = \(tenantID) AND carrier > used.carrier)
                    FROM used WHERE used.carrier IS NOT NULL
                )
                SELECT carrier FROM used WHERE carrier IS NOT NULL
                """).values(String.self)
        }
    }

    public func dashboard(tenantID: Int64, now: Date) async throws -> DashboardFigures {
        let days = DashboardFigures.windowDays
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        return try await run { c in
            var byStatus: [DeliveryStatus: Int] = [:]
            for try await (status, count) in try await c.run("""
                SELECT status, count(*) FROM shipment WHERE tenant_id = \(tenantID) AND archived_at IS NULL GROUP BY status
                """).decode((String, Int).self) {
                guard let status = DeliveryStatus(rawValue: status) else {
                    throw StoredValueError(table: "shipment", column: "status", rowID: "?", problem: "unknown status '\(status)'")
                }
                byStatus[status] = count
            }
            let stalled = try await c.run("""
                SELECT count(*) FROM shipment s JOIN tenant t ON t.id = s.tenant_id
                WHERE s.tenant_id = \(tenantID) AND s.archived_at IS NULL
                  AND s.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
                  AND s.last_event_at <= \(now) - make_interval(days => t.stalled_after_days)
                """).value(Int.self) ?? 0
            var channels: [NotificationChannel: DashboardFigures.ChannelFigures] = [:]
            var failedDeliveries = 0
            for try await (channel, sent, failed) in try await c.run("""
                SELECT channel, count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE state = 'failed') FROM delivery
                WHERE tenant_id = \(tenantID) AND created_at >= \(since) GROUP BY channel
                """).decode((String, Int, Int).self) {
                guard let channel = NotificationChannel(rawValue: channel) else {
                    throw StoredValueError(table: "delivery", column: "channel", rowID: "?", problem: "unknown channel '\(channel)'")
                }
                channels[channel] = DashboardFigures.ChannelFigures(sent: sent, failed: failed)
                failedDeliveries += failed
            }
            var views: [String: (Int, Int)] = [:]
            for try await (day, count, fromMessages) in try await c.run("""
                SELECT day, views, message_views FROM page_view_day WHERE tenant_id = \(tenantID) AND day >= \(RFC3339.day(since))
                """).decode((String, Int, Int).self) {
                views[day] = (count, fromMessages)
            }
            let pageViews = (0..<days).reversed().map { back -> (day: String, views: Int, fromMessages: Int) in
                let day = RFC3339.day(now.addingTimeInterval(-Double(back) * 86_400))
                return (day, views[day]?.0 ?? 0, views[day]?.1 ?? 0)
            }
            var wismo = (shipments: 0, messaged: 0, viewed: 0, fromMessage: 0)
            for try await row in try await c.run("""
                SELECT count(*),
                  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM delivery d WHERE d.shipment_id = s.id AND d.channel IN ('email', 'sms')
                      AND d.state = 'delivered' AND (v.first_viewed_at IS NULL OR d.delivered_at < v.first_viewed_at))),
                  count(v.shipment_id),
                  count(*) FILTER (WHERE coalesce(v.message_views, 0) > 0)
                FROM shipment s LEFT JOIN shipment_view v ON v.shipment_id = s.id
                WHERE s.tenant_id = \(tenantID) AND s.created_at >= \(since)
                """).decode((Int, Int, Int, Int).self) {
                wismo = row
            }
            return DashboardFigures(
                byStatus: byStatus, stalled: stalled, failedDeliveries: failedDeliveries, channels: channels, pageViews: pageViews,
                shipmentsInWindow: wismo.shipments, messagedBeforeFirstView: wismo.messaged, viewed: wismo.viewed,
                viewedFromMessage: wismo.fromMessage, linkClicks: try await Self.linkClicks(c, tenantID: tenantID, since: RFC3339.day(since)))
        }
    }

    /// Each after-delivery link with its clicks since `day` (a UTC day), in page order.
    private static func linkClicks(_ c: PostgresConnection, tenantID: Int64, since day: String) async throws -> [DashboardFigures.LinkClicks] {
        var counts: [Int64: Int] = [:]
        for try await (link, clicks) in try await c.run("""
            SELECT c.link_id, sum(c.clicks)::bigint FROM after_delivery_click c JOIN after_delivery_link l ON l.id = c.link_id
            WHERE l.tenant_id = \(tenantID) AND c.day >= \(day) GROUP BY c.link_id
            """).decode((Int64, Int).self) {
            counts[link] = clicks
        }
        return try await c.run("SELECT * FROM after_delivery_link WHERE tenant_id = \(tenantID) ORDER BY position")
            .records(AfterDeliveryLinkRecord.self).map { record in
                let link = try record.link()
                return DashboardFigures.LinkClicks(link: link, clicks: counts[link.id] ?? 0)
            }
    }

    public func recordPageViews(_ batch: PageViewBatch) async throws {
        guard !batch.isEmpty else { return }
        // In a fixed order, so two nodes adding to the same rows never wait for each other in a circle.
        try await transaction { c in
            for (token, count) in batch.byToken.sorted(by: { $0.key < $1.key }) {
                try await c.run("""
                    INSERT INTO shipment_view (shipment_id, tenant_id, views, message_views, first_viewed_at, last_viewed_at)
                    SELECT id, tenant_id, \(count.views), \(count.fromMessages), \(count.first), \(count.last) FROM shipment WHERE token = \(token)
                    ON CONFLICT (shipment_id) DO UPDATE SET views = shipment_view.views + excluded.views,
                        message_views = shipment_view.message_views + excluded.message_views,
                        first_viewed_at = least(shipment_view.first_viewed_at, excluded.first_viewed_at),
                        last_viewed_at = greatest(shipment_view.last_viewed_at, excluded.last_viewed_at)
                    """)
            }
            for (key, count) in batch.byTenantDay.sorted(by: { ($0.key.tenantID, $0.key.day) < ($1.key.tenantID, $1.key.day) }) {
                try await c.run("""
                    INSERT INTO page_view_day (tenant_id, day, views, message_views) VALUES (\(key.tenantID), \(key.day), \(count.views), \(count.fromMessages))
                    ON CONFLICT (tenant_id, day) DO UPDATE SET views = page_view_day.views + excluded.views,
                        message_views = page_view_day.message_views + excluded.message_views
                    """)
            }
        }
    }

    public func recordLinkClicks(_ clicks: [LinkClickDay: Int]) async throws {
        guard !clicks.isEmpty else { return }
        try await transaction { c in
            for (key, count) in clicks.sorted(by: { ($0.key.linkID, $0.key.day) < ($1.key.linkID, $1.key.day) }) {
                try await c.run("""
                    INSERT INTO after_delivery_click (link_id, day, clicks) SELECT id, \(key.day), \(count) FROM after_delivery_link WHERE id = \(key.linkID)
                    ON CONFLICT (link_id, day) DO UPDATE SET clicks = after_delivery_click.clicks + excluded.clicks
                    """)
            }
        }
    }

    public func resendDelivery(tenantID: Int64, id: String, now: Date) async throws -> Delivery? {
        try await transaction { c in
            guard let original = try await c.run("SELECT * FROM delivery WHERE tenant_id = \(tenantID) AND id = \(id)").record(DeliveryRecord.self)?.delivery
            else { return nil }
            let newID = Delivery.newID()
            try await c.run("""
                INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
                    next_attempt_at, created_at, updated_at)
                SELECT \(newID), tenant_id, shipment_id, channel, recipient, endpoint_id, \(original.resendTriggerKey()), event_type, payload,
                    \(now), \(now), \(now)
                FROM delivery WHERE id = \(id)
                """)
            try await c.run(PostgresQuery(unsafeSQL: "NOTIFY \(Self.outboxChannel)"))
            return try await c.run("SELECT * FROM delivery WHERE id = \(newID)").record(DeliveryRecord.self)?.delivery
        }
    }
}
