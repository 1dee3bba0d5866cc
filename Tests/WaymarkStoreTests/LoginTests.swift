import Testing
import WaymarkCore
import WaymarkStore

@Suite("verifyLogin")
struct LoginTests {
    @Test("The right password logs in; a wrong one or an unknown email does not")
    func verifyLogin() async throws {
        let database = try AppDatabase.temporary()
        _ = try await Fixture.tenant(database, slug: "acme")
        let userID = try await database.verifyLogin(email: "owner@acme.example", password: Fixture.password)
        #expect(userID != nil)
        #expect(try await database.verifyLogin(email: "owner@acme.example", password: Fixture.password + "!") == nil)
        #expect(try await database.verifyLogin(email: "owner@acme.example", password: "") == nil)
        #expect(try await database.verifyLogin(email: "nobody@acme.example", password: Fixture.password) == nil)
    }

    @Test("Each owner logs in as their own user")
    func distinctUsers() async throws {
        let database = try AppDatabase.temporary()
        _ = try await Fixture.tenant(database, slug: "shop-a")
        _ = try await Fixture.tenant(database, slug: "shop-b")
        let a = try #require(try await database.verifyLogin(email: "owner@shop-a.example", password: Fixture.password))
        let b = try #require(try await database.verifyLogin(email: "owner@shop-b.example", password: Fixture.password))
        #expect(a != b)
    }
}
