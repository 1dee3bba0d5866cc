import Foundation
import GRDB
import WaymarkCore

/// The support workspace and the dashboard: searches, figures, page views, resends.
extension AppDatabase {
    /// Matches `search.text` against the order number (as typed and in capitals), the tracking
    /// number, the email (any case) and the phone, each through its own index, exactly or — from
    /// `ShipmentSearch.shortestPrefix` characters on — by prefix; archived shipments included.
    public func searchShipments(tenantID: Int64, _ search: ShipmentSearch) async throws -> [Shipment] {
        // With text, the matches (a few ids, read through the four indexes) are joined to the
        // table; CROSS JOIN keeps SQLite from walking all of the tenant's shipments by date
        // instead and testing each against the matches, which is slow at a million rows.
        var source = "shipment"
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let text = search.text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            var matches: [String] = []
            func match(_ column: String, _ value: String) {
                if value.count >= ShipmentSearch.shortestPrefix {
                    matches.append("SELECT id FROM shipment WHERE tenant_id = ? AND \(column) >= ? AND \(column) < ?")
                    arguments += [tenantID, value, value + "\u{10FFFF}"]
                } else {
                    matches.append("SELECT id FROM shipment WHERE tenant_id = ? AND \(column) = ?")
                    arguments += [tenantID, value]
                }
            }
            for order in Set([text, text.uppercased()]) { match("order_number", order) }
            match("tracking_number", TrackingUpdate.normalize(text))
            match("lower(customer_email)", text.lowercased())
            if let phone = ShipmentSearch.phonePrefix(text) { match("customer_phone", phone) }
            source = "(\(matches.joined(separator: " UNION "))) AS matched CROSS JOIN shipment ON shipment.id = matched.id"
        }
        var conditions = ["shipment.tenant_id = ?"]
        arguments.append(tenantID)
        if let status = search.status {
            conditions.append("shipment.status = ?")
            arguments.append(status.rawValue)
        }
        switch search.attention {
        case .stalled?:
            conditions.append("""
                shipment.archived_at IS NULL
                AND shipment.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
                AND shipment.last_event_at <= datetime(?, '-' || (SELECT stalled_after_days FROM tenant WHERE id = ?) || ' days')
                """)
            arguments += [search.asOf, tenantID]
        case .failedMessages?:
            conditions.append("shipment.id IN (SELECT shipment_id FROM delivery WHERE tenant_id = ? AND state = 'failed')")
            arguments.append(tenantID)
        case nil: break
        }
        if let carrier = search.carrier {
            conditions.append("shipment.carrier = ?")
            arguments.append(carrier.lowercased())
        }
        let newest = search.sort == .newest
        if let cursor = search.after {
            conditions.append(newest
                ? "(shipment.created_at < ? OR (shipment.created_at = ? AND shipment.id < ?))"
                : "(shipment.created_at > ? OR (shipment.created_at = ? AND shipment.id > ?))")
            arguments += [cursor.createdAt, cursor.createdAt, cursor.id]
        }
        let order = newest ? "shipment.created_at DESC, shipment.id DESC" : "shipment.created_at, shipment.id"
        let sql = "SELECT shipment.* FROM \(source) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        arguments.append(search.limit)
        let statementArguments = StatementArguments(arguments)
        return try await read { db in try ShipmentRecord.fetchAll(db, sql: sql, arguments: statementArguments).map { try $0.shipment() } }
    }

    /// One index seek per carrier (the unique index on tenant, carrier and tracking number),
    /// however many shipments there are: a loose index scan written as a recursive query.
    public func carriersInUse(tenantID: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: """
                WITH RECURSIVE used(carrier) AS (
                    SELECT min(carrier) FROM shipment WHERE tenant_id = ?1
                    UNION ALL
                    SELECT (SELECT min(carrier) FROM shipment WHERE tenant_id = ?1 AND carrier > used.carrier) FROM used WHERE used.carrier IS NOT NULL
                )
                SELECT carrier FROM used WHERE carrier IS NOT NULL
                """, arguments: [tenantID])
        }
    }

    public func dashboard(tenantID: Int64, now: Date) async throws -> DashboardFigures {
        let days = DashboardFigures.windowDays
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        return try await read { db in
            var byStatus: [DeliveryStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT status, count(*) AS n FROM shipment WHERE tenant_id = ? AND archived_at IS NULL GROUP BY status
                """, arguments: [tenantID]) {
                let status: DeliveryStatus = try ShipmentRecord.value(ShipmentRecord.Columns.status, in: row, id: "status")
                byStatus[status] = try ShipmentRecord.value(Column("n"), in: row, id: "count")
            }
            let stalled = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM shipment s JOIN tenant t ON t.id = s.tenant_id
                WHERE s.tenant_id = ? AND s.archived_at IS NULL
                  AND s.status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
                  AND s.last_event_at <= datetime(?, '-' || t.stalled_after_days || ' days')
                """, arguments: [tenantID, now]) ?? 0
            var channels: [NotificationChannel: DashboardFigures.ChannelFigures] = [:]
            var failedDeliveries = 0
            for row in try Row.fetchAll(db, sql: """
                SELECT channel, sum(state = 'delivered') AS sent, sum(state = 'failed') AS failed FROM delivery
                WHERE tenant_id = ? AND created_at >= ? GROUP BY channel
                """, arguments: [tenantID, since]) {
                let channel: NotificationChannel = try DeliveryRecord.value(DeliveryRecord.Columns.channel, in: row, id: "channel")
                let figures = DashboardFigures.ChannelFigures(
                    sent: try DeliveryRecord.value(Column("sent"), in: row, id: channel.rawValue),
                    failed: try DeliveryRecord.value(Column("failed"), in: row, id: channel.rawValue))
                channels[channel] = figures
                failedDeliveries += figures.failed
            }
            var views: [String: (Int, Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT day, views, message_views FROM page_view_day WHERE tenant_id = ? AND day >= ?
                """, arguments: [tenantID, Self.day(since)]) {
                let day: String = try ShipmentRecord.value(Column("day"), in: row, id: "page_view_day")
                views[day] = (try ShipmentRecord.value(Column("views"), in: row, id: day), try ShipmentRecord.value(Column("message_views"), in: row, id: day))
            }
            let pageViews = (0..<days).reversed().map { back -> (day: String, views: Int, fromMessages: Int) in
                let day = Self.day(now.addingTimeInterval(-Double(back) * 86_400))
                return (day, views[day]?.0 ?? 0, views[day]?.1 ?? 0)
            }
            let wismo = try Row.fetchOne(db, sql: """
                SELECT count(*) AS shipments,
                  coalesce(sum(EXISTS (SELECT 1 FROM delivery d WHERE d.shipment_id = s.id AND d.channel IN ('email', 'sms')
                      AND d.state = 'delivered' AND (v.first_viewed_at IS NULL OR d.delivered_at < v.first_viewed_at))), 0) AS messaged,
                  coalesce(sum(v.shipment_id IS NOT NULL), 0) AS viewed,
                  coalesce(sum(coalesce(v.message_views, 0) > 0), 0) AS from_message
                FROM shipment s LEFT JOIN shipment_view v ON v.shipment_id = s.id
                WHERE s.tenant_id = ? AND s.created_at >= ?
                """, arguments: [tenantID, since])
            func figure(_ name: String) throws -> Int { try wismo.map { try ShipmentRecord.value(Column(name), in: $0, id: "dashboard") } ?? 0 }
            return DashboardFigures(
                byStatus: byStatus, stalled: stalled, failedDeliveries: failedDeliveries, channels: channels, pageViews: pageViews,
                shipmentsInWindow: try figure("shipments"), messagedBeforeFirstView: try figure("messaged"), viewed: try figure("viewed"),
                viewedFromMessage: try figure("from_message"), linkClicks: try Self.linkClicks(db, tenantID: tenantID, since: Self.day(since)))
        }
    }

    /// A UTC day as `page_view_day` keys it.
    static func day(_ date: Date) -> String { RFC3339.day(date) }

    public func recordPageViews(_ batch: PageViewBatch) async throws {
        guard !batch.isEmpty else { return }
        try await write { db in
            let perShipment = try db.cachedStatement(sql: """
                INSERT INTO shipment_view (shipment_id, tenant_id, views, message_views, first_viewed_at, last_viewed_at)
                SELECT id, tenant_id, ?, ?, ?, ? FROM shipment WHERE token = ?
                ON CONFLICT (shipment_id) DO UPDATE SET views = views + excluded.views,
                    message_views = message_views + excluded.message_views,
                    first_viewed_at = min(first_viewed_at, excluded.first_viewed_at),
                    last_viewed_at = max(last_viewed_at, excluded.last_viewed_at)
                """)
            for (token, count) in batch.byToken {
                try perShipment.execute(arguments: [count.views, count.fromMessages, count.first, count.last, token])
            }
            let perDay = try db.cachedStatement(sql: """
                INSERT INTO page_view_day (tenant_id, day, views, message_views) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id, day) DO UPDATE SET views = views + excluded.views, message_views = message_views + excluded.message_views
                """)
            for (key, count) in batch.byTenantDay {
                try perDay.execute(arguments: [key.tenantID, key.day, count.views, count.fromMessages])
            }
        }
    }

    public func resendDelivery(tenantID: Int64, id: String, now: Date) async throws -> Delivery? {
        try await write { [outboxSignal] db in
            guard let original = try DeliveryRecord.fetchOne(
                db, sql: "SELECT * FROM delivery WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])?.delivery
            else { return nil }
            let newID = Delivery.newID()
            try db.execute(sql: """
                INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
                    next_attempt_at, created_at, updated_at)
                SELECT ?, tenant_id, shipment_id, channel, recipient, endpoint_id, ?, event_type, payload, ?, ?, ?
                FROM delivery WHERE id = ?
                """, arguments: [newID, original.resendTriggerKey(), now, now, now, id])
            db.afterNextTransaction(onCommit: { _ in outboxSignal.fire() })
            return try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [newID])?.delivery
        }
    }
}
