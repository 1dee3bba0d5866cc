import Testing
import WaymarkCore

@Suite("--db: a SQLite path or a PostgreSQL URL")
struct DatabaseLocationTests {
    @Test("a path is SQLite, whatever it looks like")
    func paths() throws {
        #expect(try DatabaseLocation("./waymark.sqlite") == .sqlite(path: "./waymark.sqlite"))
        #expect(try DatabaseLocation("/var/lib/waymark/db") == .sqlite(path: "/var/lib/waymark/db"))
        #expect(try DatabaseLocation("postgres.sqlite") == .sqlite(path: "postgres.sqlite"))
    }

    @Test("a URL names user, password, host, port, database and TLS mode; percent-encoding is undone")
    func url() throws {
        guard case .postgres(let url) = try DatabaseLocation("postgresql://way%40mark:p%3Ass%2Fw@db.internal:6432/waymark?sslmode=verify-full") else {
            Issue.record("not a PostgreSQL URL")
            return
        }
        #expect(url.user == "way@mark")
        #expect(url.password == "p:ss/w")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.database == "waymark")
        #expect(url.tls == .verifyFull)
        let defaults = try PostgresURL("postgres://waymark@[::1]/tracking")
        #expect(defaults.host == "::1")
        #expect(defaults.port == 5432)
        #expect(defaults.tls == .prefer)
        #expect(defaults.password == nil)
        #expect(try PostgresURL("postgres://w@localhost/db?sslmode=disable").tls == .disable)
        #expect(try PostgresURL("postgres://w@localhost/db?sslmode=require").tls == .require)
        #expect(try PostgresURL("postgres://w@/db?host=/var/run/postgresql").socketDirectory == "/var/run/postgresql")
    }

    @Test("the password is never shown, in the description or in an error")
    func redaction() throws {
        let location = try DatabaseLocation("postgres://waymark:s3cret-pw@db:5432/waymark")
        #expect(!location.description.contains("s3cret-pw"))
        #expect(location.description == "postgres://waymark:***@db:5432/waymark?sslmode=prefer")
        for bad in ["postgres://waymark:s3cret-pw@db:5432/waymark?sslmode=allow", "postgres://waymark:s3cret-pw@db:5432/", "mysql://u:s3cret-pw@h/db",
                    "postgres://waymark:s3cret-pw@db/waymark?pool=3"] {
            do {
                _ = try DatabaseLocation(bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(!error.description.contains("s3cret-pw"), "\(error.description)")
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test("what is missing is named")
    func errors() {
        #expect(throws: DatabaseLocationError.self) { try PostgresURL("postgres://db:5432/waymark") }
        do {
            _ = try PostgresURL("postgres://u@db/waymark?sslmode=verify-ca")
        } catch {
            #expect(error.description.contains("disable, prefer, require, verify-full"))
        }
    }
}
