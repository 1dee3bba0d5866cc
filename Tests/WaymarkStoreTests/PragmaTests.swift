import Testing
import WaymarkCore
import WaymarkStore

@Suite("AppDatabase pragmas")
struct PragmaTests {
    @Test("The writer runs in WAL mode, with foreign keys and a busy timeout")
    func pragmas() async throws {
        let database = try AppDatabase.temporary()
        let pragmas = try await database.pragmas()
        #expect(pragmas["journal_mode"] == "wal")
        #expect(pragmas["foreign_keys"] == "1")
        let busyTimeout = try #require(pragmas["busy_timeout"].flatMap { Int($0) })
        #expect(busyTimeout > 0)
    }

    @Test("The writer commits with synchronous = FULL (2) and checkpoints the WAL at 8,192 pages")
    func synchronousFull() async throws {
        let database = try AppDatabase.temporary()
        let pragmas = try await database.pragmas()
        #expect(pragmas["synchronous"] != nil)
        #expect(pragmas["synchronous"] == "2")
        #expect(pragmas["wal_autocheckpoint"] == "8192")
        #expect(pragmas["cache_size"] == "-16384")
    }
}
