import GRDB
import Testing
@testable import WaymarkStore

@Suite("PostgreSQL row encoding")
struct PostgresRowEncoderTests {
    private struct Flat: Encodable, PersistableRecord {
        static let databaseTableName = "flat"
        var id: Int64?
        var name: String
        var note: String?
    }

    private struct Place: Encodable { var city: String }

    private struct WithPlace: Encodable, PersistableRecord {
        static let databaseTableName = "with_place"
        var id: Int64
        var place: Place
    }

    /// Encodes itself as a list, which no row can hold.
    private struct AsList: Encodable, PersistableRecord {
        static let databaseTableName = "as_list"
        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            try? list.encode("a")
        }
    }

    @Test("a record's columns become one INSERT; a nil optional is left out")
    func flat() throws {
        let query = try Flat(id: nil, name: "acme", note: nil).postgresInsert("RETURNING id")
        #expect(query.sql == #"INSERT INTO flat ("name") VALUES ($1) RETURNING id"#)
    }

    @Test("a value a column cannot hold is an error, never a trap or a half-written row")
    func nested() {
        #expect(throws: EncodingError.self) { _ = try WithPlace(id: 1, place: Place(city: "Leeds")).postgresInsert() }
        #expect(throws: EncodingError.self) { _ = try AsList().postgresInsert() }
    }
}
