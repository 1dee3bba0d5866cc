import Testing
import WaymarkCore
import WaymarkStore

@Suite("Concurrent writers")
struct ConcurrentWriteTests {
    @Test("16 concurrent writers all succeed, none fails with SQLITE_BUSY")
    func sixteenWriters() async throws {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let shipment = try await database.createShipment(
                        tenantID: tenant.id, try Fixture.shipment("CONCURRENT\(index)", orderNumber: "O-\(index)"))
                    // Read right behind the write, on the pool's readers, while other writers run.
                    let read = try await database.shipment(tenantID: tenant.id, id: shipment.id)
                    return read?.shipment.id ?? ""
                }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(ids.count == 16)
        #expect(Set(ids).count == 16)
        #expect(!ids.contains(""))
        #expect(try await database.shipmentCount(tenantID: tenant.id) == 16)
    }
}
