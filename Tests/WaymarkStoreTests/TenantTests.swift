import Foundation
import GRDB
import Testing
import WaymarkCore
import WaymarkStore

@Suite("Tenants and API keys")
struct TenantTests {
    @Test("createTenant returns the tenant and a wm_ API key that authenticates it")
    func createAndAuthenticate() async throws {
        let database = try AppDatabase.temporary()
        let created = try await Fixture.tenant(database, slug: "acme")
        #expect(created.tenant.slug == "acme")
        #expect(created.tenant.name == "Shop acme")
        #expect(created.apiKey.hasPrefix("wm_"))
        #expect(created.apiKey.count == 46)
        #expect(SecureToken.isWellFormed(String(created.apiKey.dropFirst(3))))

        let identity = try await database.authenticate(apiKey: created.apiKey)
        #expect(identity?.tenantID == created.tenant.id)
        #expect(try await database.tenant(slug: "acme") == created.tenant)
        #expect(try await database.tenant(id: created.tenant.id) == created.tenant)
    }

    @Test("Wrong, altered or foreign-looking keys authenticate nobody")
    func wrongKey() async throws {
        let database = try AppDatabase.temporary()
        let created = try await Fixture.tenant(database, slug: "acme")
        var altered = created.apiKey
        let last = altered.removeLast()
        altered.append(last == "A" ? "B" : "A")
        for key in [altered, "wm_" + SecureToken.random(byteCount: 32), String(created.apiKey.dropFirst(3)), "", created.apiKey + " "] {
            #expect(try await database.authenticate(apiKey: key) == nil, "\(key)")
        }
    }

    @Test("Each tenant's key finds that tenant")
    func keysPerTenant() async throws {
        let database = try AppDatabase.temporary()
        let a = try await Fixture.tenant(database, slug: "shop-a")
        let b = try await Fixture.tenant(database, slug: "shop-b")
        #expect(a.apiKey != b.apiKey)
        #expect(try await database.authenticate(apiKey: a.apiKey)?.tenantID == a.tenant.id)
        #expect(try await database.authenticate(apiKey: b.apiKey)?.tenantID == b.tenant.id)
    }

    @Test("The plaintext API key is nowhere in the database files")
    func keyNotStored() async throws {
        let database = try AppDatabase.temporary()
        let created = try await Fixture.tenant(database, slug: "keyshop")
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: database.path + suffix) { bytes.append(data) }
        }
        // The files were read: the tenant's slug is in them.
        #expect(bytes.range(of: Data("keyshop".utf8)) != nil)
        #expect(bytes.range(of: Data(created.apiKey.utf8)) == nil)
        // Nor is the secret part without its wm_ prefix.
        #expect(bytes.range(of: Data(created.apiKey.dropFirst(3).utf8)) == nil)
    }

    @Test("A taken slug throws slugTaken and writes nothing")
    func slugTaken() async throws {
        let database = try AppDatabase.temporary()
        let first = try await Fixture.tenant(database, slug: "acme")
        let tables = ["tenant", "user", "membership", "api_key"]
        var before: [Int] = []
        for table in tables { before.append(try await rowCount(database, table)) }

        await #expect(throws: StoreError.slugTaken("acme")) {
            try await Fixture.tenant(database, slug: "acme", ownerEmail: "someone-else@example.com")
        }
        var after: [Int] = []
        for table in tables { after.append(try await rowCount(database, table)) }
        #expect(after == before)
        #expect(before == [1, 1, 1, 1])
        #expect(try await database.tenant(slug: "acme") == first.tenant)
        #expect(try await database.verifyLogin(email: "someone-else@example.com", password: Fixture.password) == nil)
    }

    @Test("Owner passwords shorter than the minimum are refused, and nothing is written")
    func shortPassword() async throws {
        let database = try AppDatabase.temporary()
        let short = String(repeating: "p", count: Passwords.minimumLength - 1)
        await #expect(throws: ValidationError.self) {
            try await database.createTenant(NewTenant(
                slug: TenantSlug("acme"), name: "Acme", ownerEmail: EmailAddress("owner@acme.example"), ownerPassword: short))
        }
        #expect(try await database.tenant(slug: "acme") == nil)
        #expect(try await rowCount(database, "user") == 0)
    }

    @Test("The owner's password is stored as a bcrypt hash of cost 12")
    func bcryptCost() async throws {
        let database = try AppDatabase.temporary()
        _ = try await Fixture.tenant(database, slug: "acme")
        let hash = try #require(try await rawRead(database) { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM user WHERE email = ?", arguments: ["owner@acme.example"])
        })
        #expect(["$2a$12$", "$2b$12$", "$2y$12$"].contains { hash.hasPrefix($0) }, "\(hash.prefix(7))")
        #expect(hash.count == 60)
        #expect(!hash.contains(Fixture.password))
    }
}
