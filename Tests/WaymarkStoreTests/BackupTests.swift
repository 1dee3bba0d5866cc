import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

@Suite("Backups")
struct BackupTests {
    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("A backup taken while shipments are written is one consistent, checked moment, and restores to a working database")
    func backupUnderWritesAndRestore() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "shop").tenant
        let folder = try directory()
        // Writers keep adding shipments (each with its outbox rows) while the backup runs.
        let writer = Task {
            var written = 0
            while !Task.isCancelled && written < 2_000 {
                _ = try await database.createShipment(
                    tenantID: tenant.id, try Fixture.shipment(String(format: "1ZBACKUP%010d", written), orderNumber: "B-\(written)"), now: storeReferenceDate)
                written += 1
            }
            return written
        }
        try await Task.sleep(for: .milliseconds(50))
        let report = try await database.backup(to: folder.appendingPathComponent("copy.sqlite").path)
        let written = try await writer.value
        #expect(report.schema == Migrations.all.last?.identifier)
        #expect(report.tenants == 1 && report.shipments <= written)
        #expect(!FileManager.default.fileExists(atPath: report.path + ".partial"))

        // The copy holds whole transactions only: every reference resolves.
        let copy = try DatabaseQueue(path: report.path)
        #expect(try await copy.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
        try copy.close()

        // Restored over another database, it is that database from then on.
        let target = folder.appendingPathComponent("restored.sqlite").path
        let other = try AppDatabase(path: target)
        _ = try await Fixture.tenant(other, slug: "other")
        let restored = try AppDatabase.restore(from: report.path, to: target)
        #expect(restored.shipments == report.shipments)
        let reopened = try AppDatabase(path: target)
        #expect(try await reopened.tenant(slug: "shop") != nil)
        #expect(try await reopened.tenant(slug: "other") == nil)
        #expect(try await rawRead(reopened) { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM shipment") } == report.shipments)
    }

    @Test("A backup never overwrites a file; a damaged or foreign file is never restored")
    func refusals() async throws {
        let database = try AppDatabase.temporary()
        let folder = try directory()
        let existing = folder.appendingPathComponent("exists.sqlite").path
        FileManager.default.createFile(atPath: existing, contents: Data("keep me".utf8))
        await #expect(throws: BackupError.exists(existing)) { try await database.backup(to: existing) }
        #expect(FileManager.default.contents(atPath: existing) == Data("keep me".utf8))

        let target = folder.appendingPathComponent("live.sqlite").path
        _ = try AppDatabase(path: target)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))

        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        let queue = try DatabaseQueue(path: foreign)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try queue.close()
        #expect(throws: BackupError.notWaymark(foreign)) { try AppDatabase.restore(from: foreign, to: target) }

        // A backup with a page overwritten by junk fails the integrity check (or cannot be opened).
        let good = try await database.backup(to: folder.appendingPathComponent("good.sqlite").path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good.path))
        let page = 4_096
        #expect(bytes.count > 3 * page)
        bytes.replaceSubrange(2 * page..<(3 * page), with: Data(repeating: 0xA5, count: page))
        let damaged = folder.appendingPathComponent("damaged.sqlite").path
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(throws: (any Error).self) { try AppDatabase.restore(from: damaged, to: target) }

        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before, "the database is untouched by refused restores")
        #expect(!FileManager.default.fileExists(atPath: target + ".restoring"))
    }
}
