import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    public func afterDeliveryLinks(tenantID: Int64) async throws -> [AfterDeliveryLink] {
        try await read { db in try Self.afterDeliveryLinks(db, tenantID: tenantID).map { try $0.link() } }
    }

    public func afterDeliveryLink(tenantID: Int64, id: Int64) async throws -> AfterDeliveryLink? {
        try await read { db in
            try AfterDeliveryLinkRecord.fetchOne(
                db, sql: "SELECT * FROM after_delivery_link WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]
            )?.link()
        }
    }

    public func setAfterDeliveryLinks(tenantID: Int64, _ links: AfterDeliveryLinks, now: Date) async throws -> [AfterDeliveryLink] {
        let positions = links.byPosition
        return try await write { [positions] db in
            var wanted = positions
            for old in try Self.afterDeliveryLinks(db, tenantID: tenantID) {
                if let (kind, link) = wanted[old.position], old.holds(kind, link) {
                    wanted[old.position] = nil
                } else {
                    try old.delete(db)
                }
            }
            for (position, (kind, link)) in wanted.sorted(by: { $0.key < $1.key }) {
                try AfterDeliveryLinkRecord(
                    id: nil, tenantID: tenantID, position: position, kind: kind.rawValue, title: link.title, imageURL: link.imageURL, url: link.url,
                    createdAt: now
                ).insert(db)
            }
            try db.execute(sql: "UPDATE tenant SET pages_version = pages_version + 1 WHERE id = ?", arguments: [tenantID])
            return try Self.afterDeliveryLinks(db, tenantID: tenantID).map { try $0.link() }
        }
    }

    public func recordLinkClicks(_ clicks: [LinkClickDay: Int]) async throws {
        guard !clicks.isEmpty else { return }
        try await write { db in
            let add = try db.cachedStatement(sql: """
                INSERT INTO after_delivery_click (link_id, day, clicks) SELECT id, ?, ? FROM after_delivery_link WHERE id = ?
                ON CONFLICT (link_id, day) DO UPDATE SET clicks = clicks + excluded.clicks
                """)
            for (key, count) in clicks { try add.execute(arguments: [key.day, count, key.linkID]) }
        }
    }

    /// Each link with its clicks since `day` (a UTC day), in page order.
    static func linkClicks(_ db: Database, tenantID: Int64, since day: String) throws -> [DashboardFigures.LinkClicks] {
        let counts = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
            SELECT c.link_id, sum(c.clicks) AS clicks FROM after_delivery_click c JOIN after_delivery_link l ON l.id = c.link_id
            WHERE l.tenant_id = ? AND c.day >= ? GROUP BY c.link_id
            """, arguments: [tenantID, day]).map { row -> (Int64, Int) in
            (try AfterDeliveryLinkRecord.value(Column("link_id"), in: row, id: "clicks"), try AfterDeliveryLinkRecord.value(Column("clicks"), in: row, id: "clicks"))
        })
        return try afterDeliveryLinks(db, tenantID: tenantID).map { record in
            let link = try record.link()
            return DashboardFigures.LinkClicks(link: link, clicks: counts[link.id] ?? 0)
        }
    }

    private static func afterDeliveryLinks(_ db: Database, tenantID: Int64) throws -> [AfterDeliveryLinkRecord] {
        try AfterDeliveryLinkRecord.fetchAll(db, sql: "SELECT * FROM after_delivery_link WHERE tenant_id = ? ORDER BY position", arguments: [tenantID])
    }
}

extension AfterDeliveryLinks {
    /// Each link at its position on the page: the review link first, then the products.
    var byPosition: [Int: (AfterDeliveryLink.Kind, AfterDeliveryLinks.Link)] {
        var positions: [Int: (AfterDeliveryLink.Kind, AfterDeliveryLinks.Link)] = [:]
        if let review { positions[0] = (.review, review) }
        for (offset, product) in products.enumerated() { positions[offset + 1] = (.product, product) }
        return positions
    }
}

extension AfterDeliveryLinkRecord {
    /// Whether this stored link is already `link` of `kind`, so saving it again changes nothing.
    func holds(_ kind: AfterDeliveryLink.Kind, _ link: AfterDeliveryLinks.Link) -> Bool {
        (kind.rawValue, link.title, link.imageURL, link.url) == (self.kind, title, imageURL, url)
    }
}
