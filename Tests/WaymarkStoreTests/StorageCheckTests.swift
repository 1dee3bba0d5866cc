import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

/// What `/healthz` asks the store, and what a write says when the file cannot take it.
@Suite("Storage faults")
struct StorageCheckTests {
    func reason(_ check: () async throws -> Void) async -> String? {
        do {
            try await check()
            return nil
        } catch StoreError.storageUnavailable(let reason) {
            return reason
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test("A database file deleted or replaced under the running server is reported, naming the file")
    func deletedOrReplacedFile() async throws {
        let database = try AppDatabase.temporary()
        #expect(await reason { try await database.checkStorage() } == nil)

        // SQLite keeps writing to the deleted inode: the write succeeds, the check is what tells.
        let moved = database.path + ".moved"
        try FileManager.default.moveItem(atPath: database.path, toPath: moved)
        let gone = try #require(await reason { try await database.checkStorage() })
        #expect(gone.contains("\(database.path) is gone") && gone.contains("Restart Waymark"))

        FileManager.default.createFile(atPath: database.path, contents: Data())
        let replaced = try #require(await reason { try await database.checkStorage() })
        #expect(replaced.contains("\(database.path) was replaced"))

        try FileManager.default.removeItem(atPath: database.path)
        try FileManager.default.moveItem(atPath: moved, toPath: database.path)
        #expect(await reason { try await database.checkStorage() } == nil, "the same file back in place is healthy again")
    }

    @Test("A write the file refuses (SQLite: read-only) is storageUnavailable, with nothing kept; reads go on")
    func readOnlyWrite() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }

        let refused = await reason {
            _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZREADONLY0001"), now: storeReferenceDate)
        }
        #expect(refused?.contains("SQLite") == true && refused?.contains("readonly") == true)
        #expect(StoreError.storageUnavailable(refused ?? "").isStorageFault)
        #expect(try await database.tenant(slug: "shop") != nil)
        #expect(try await rowCount(database, "shipment") == 0)

        try await database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = OFF") }
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZREADONLY0001"), now: storeReferenceDate)
        #expect(try await rowCount(database, "shipment") == 1)
    }
}

@Suite("Commit count")
struct CommitCountTests {
    @Test("Every write this process commits counts; reads and rolled-back writes do not")
    func countsCommits() async throws {
        let database = try AppDatabase.temporary()
        let start = database.localCommits
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let afterWrite = database.localCommits
        #expect(afterWrite > start)
        _ = try await database.tenant(slug: "shop")
        #expect(database.localCommits == afterWrite)
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZCOMMITS00001"), now: storeReferenceDate)
        let afterShipment = database.localCommits
        #expect(afterShipment > afterWrite)
        await #expect(throws: (any Error).self) {
            _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZCOMMITS00001"), now: storeReferenceDate)
        }
        #expect(database.localCommits == afterShipment, "a refused duplicate commits nothing")
    }

    @Test("Settings commits count changes to tenants and provider accounts, not ingest or shipments")
    func countsSettingsCommits() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let start = database.localSettingsCommits
        _ = try await database.setProviderAccount(tenantID: tenant.id, provider: "aftership", secret: "s1", apiKey: nil, register: nil, now: storeReferenceDate)
        let afterAccount = database.localSettingsCommits
        #expect(afterAccount == start + 1)
        let update = TrackingUpdate(trackingNumber: "1ZSETTINGS0001", carrier: "ups", events: [Fixture.event(0, .inTransit)])
        _ = try await database.ingest(tenantID: tenant.id, provider: "aftership", eventID: "e1", body: [], updates: [update])
        _ = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment("1ZSETTINGS0002"), now: storeReferenceDate)
        #expect(database.localSettingsCommits == afterAccount, "ingest and shipments leave it alone")
        try await database.updateBranding(tenantID: tenant.id, Branding(), now: storeReferenceDate)
        #expect(database.localSettingsCommits == afterAccount + 1)
    }
}
