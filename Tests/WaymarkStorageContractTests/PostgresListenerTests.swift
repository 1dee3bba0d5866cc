import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("PostgreSQL: what one node changes, the others hear")
struct PostgresListenerTests {
    @Test("a custom domain set on one node moves the other node's settings count at once, so its remembered hosts are read again")
    func settingsChangeIsHeard() async throws {
        let server = try Backend.postgresServer()
        try await TestDatabase.withFresh(on: server) { url in
            // Node b has a pool of one: listening takes a connection of its own, not that one.
            let (a, b) = (PostgresStore(url: url, connections: 2), PostgresStore(url: url, connections: 1))
            try await a.migrate()
            let tenant = try await ContractFixture.tenant(a, slug: "acme").tenant
            b.listenToOtherNodes()
            // Node b hears once its LISTEN is in place: notify until it does, then let it settle.
            let unheard = b.localSettingsCommits
            var waited = 0
            while b.localSettingsCommits == unheard {
                try #require(waited < 200, "node b never heard a NOTIFY")
                try await a.execute(unsafeSQL: "NOTIFY waymark_settings")
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            try await Task.sleep(for: .milliseconds(300))
            let before = b.localSettingsCommits
            try await Task.sleep(for: .milliseconds(300))
            #expect(b.localSettingsCommits == before, "nothing changed, so the count stays")
            #expect(try await b.tenant(customDomain: "track.acme.test") == nil)

            _ = try await a.setCustomDomain(tenantID: tenant.id, domain: "track.acme.test", now: contractDate)
            waited = 0
            while b.localSettingsCommits == before, waited < 100 {
                try await Task.sleep(for: .milliseconds(20))
                waited += 1
            }
            #expect(b.localSettingsCommits != before, "node b did not hear of the change within 2 s")
            #expect(try await b.tenant(customDomain: "track.acme.test")?.slug == "acme")
            await a.close()
            await b.close()
        }
    }
}
