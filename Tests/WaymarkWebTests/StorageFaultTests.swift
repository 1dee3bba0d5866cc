import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkStore
@testable import WaymarkWeb

/// The database going bad under a running server: `/healthz` and the log say what happened,
/// writes answer 503 with `Retry-After` (never 500), and pages keep being served.
@Suite struct StorageFaultTests {
    @Test func aDeletedDatabaseFileIsOnHealthzAndInTheLogOnce() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            try FileManager.default.moveItem(atPath: fixture.database.path, toPath: fixture.database.path + ".moved")
            // The last check's answer is kept for a second.
            try await Task.sleep(for: .milliseconds(1_100))
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.text.hasPrefix("database unavailable: the database file \(fixture.database.path) is gone"))
            }
            #expect(try await client.execute(uri: fixture.acmeTrackingPath, method: .get).status == .ok, "pages are still served")
        }
        let logged = fixture.logs.all.components(separatedBy: "\n").filter { $0.contains("database unavailable") }
        #expect(logged.count == 1 && logged[0].contains("is gone"))
    }

    @Test func aWriteTheDatabaseRefusesIs503WithRetryAfterAndNoInternals() async throws {
        let fixture = try await Fixture.make()
        try await fixture.database.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
        try await fixture.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/shipments", method: .post,
                headers: [.authorization: "Bearer \(fixture.acme.apiKey)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"tracking_number": "1Z999AA10123456784"}"#))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[HTTPField.Name("Retry-After")!] == "30")
            #expect(response.text.contains("urn:waymark:problem:storage-unavailable"))
            #expect(!response.text.contains(fixture.database.path) && !response.text.contains("SQLite"))
        }
        #expect(fixture.logs.all.contains("write refused: the database cannot be used (SQLite"))
    }
}
