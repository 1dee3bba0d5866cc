import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("ShipmentRecord: SELECT * read in place, any other row by name")
struct ShipmentRecordTests {
    @Test("SELECT * returns the table's columns in the order fetchFirst reads them in place")
    func tableOrderIsTheTables() async throws {
        let database = try AppDatabase.temporary()
        let columns = try await database.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('shipment')") }
        #expect(columns == ShipmentRecord.tableOrder.map(\.name))
    }

    @Test("Every column reads alike in place and by name, set or empty")
    func positionAndNameAgree() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        var draft = try Fixture.shipment()
        draft.metadata = ["gift": "yes"]
        draft.eta = storeReferenceDate.addingTimeInterval(86_400)
        let full = try await database.createShipment(tenantID: tenant.id, draft)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: full.id, events: [Fixture.event(60, .delivered)])
        try await database.write { db in
            try db.execute(sql: """
                UPDATE shipment SET archived_at = ?, registration_error = 'refused', stalled_checked_for = ?, substatus = NULL
                WHERE id = ?
                """, arguments: [storeReferenceDate, storeReferenceDate, full.id])
        }
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZEMPTY0000000001", carrier: nil, orderNumber: nil, email: nil, postalCode: nil))
        let reversed = ShipmentRecord.tableOrder.reversed().map(\.name).joined(separator: ", ")
        let (byPosition, byName) = try await database.read { db in
            (try ["1Z999AA10123456784", "1ZEMPTY0000000001"].compactMap { number in
                try ShipmentRecord.fetchFirst(db.cachedStatement(sql: "SELECT * FROM shipment WHERE tracking_number = ?"), arguments: [number])
             },
             try ShipmentRecord.fetchAll(db, sql: "SELECT \(reversed) FROM shipment ORDER BY tracking_number"))
        }
        #expect(byPosition.count == 2)
        for (a, b) in zip(byPosition, byName) {
            #expect(try a.shipment() == b.shipment())
            #expect(a.destinationPostalKey == b.destinationPostalKey && a.stalledCheckedFor == b.stalledCheckedFor)
        }
        let archived = try #require(byPosition.first { $0.id == full.id })
        #expect(archived.status == .delivered && archived.archivedAt != nil && archived.registrationError == "refused")
        #expect(archived.stalledCheckedFor != nil && archived.lastEventAt != nil && archived.metadata.contains("gift"))
    }

    @Test("A value fetchFirst cannot read is an error naming its column and the shipment")
    func unreadableInPlace() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment())
        for (column, value) in [("eta", "next tuesday"), ("status", "lost_in_space"), ("created_at", "yesterday")] as [(String, String?)] {
            let error = await #expect(throws: StoredValueError.self) {
                try await database.write { db in
                    try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                    try db.execute(sql: "UPDATE shipment SET \(column) = ? WHERE id = ?", arguments: [value, shipment.id])
                    defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
                    _ = try ShipmentRecord.fetchFirst(db.cachedStatement(sql: "SELECT * FROM shipment WHERE id = ?"), arguments: [shipment.id])
                }
            }
            #expect(error?.column == column && error?.rowID == shipment.id, "\(String(describing: error))")
        }
    }
}
