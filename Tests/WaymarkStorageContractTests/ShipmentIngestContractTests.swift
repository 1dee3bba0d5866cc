import Foundation
import Testing
import WaymarkCore
import WaymarkStore

private typealias Stores = any TenantStore & ShipmentStore & IngestStore

private func draft(_ number: String, order: String = "A-1001", email: String? = "Jane.Doe@example.com", postalCode: String? = "SW1A 1AA") throws -> NewShipment {
    try NewShipment(
        trackingNumber: number, carrier: "ups", orderNumber: order,
        customer: Customer(name: "Jane Doe", email: email), destination: Destination(city: "London", postalCode: postalCode, country: "GB")
    ).validated()
}

private func event(_ seconds: TimeInterval, _ status: DeliveryStatus, _ message: String) -> CheckpointEvent {
    CheckpointEvent(occurredAt: contractDate.addingTimeInterval(seconds), status: status, message: message, source: "test")
}

private func answer<T>(_ work: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await work()) } catch { return .failure(error) }
}

@Suite("ShipmentStore and IngestStore contract")
struct ShipmentIngestContractTests {
    @Test("a shipment is found by id and token; a known number is refused; deleting removes it", arguments: Backend.allCases)
    func createFindDelete(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let shipment = try await store.createShipment(tenantID: tenant.id, try draft("1Z999AA10123456784"), now: contractDate)
            #expect(shipment.status == .pending)
            #expect(try await store.shipment(tenantID: tenant.id, id: shipment.id)?.shipment == shipment)
            #expect(try await store.shipment(tenantID: tenant.id, token: shipment.token)?.shipment == shipment)
            let other = try await ContractFixture.tenant(store, slug: "other").tenant
            #expect(try await store.shipment(tenantID: other.id, id: shipment.id) == nil)
            await #expect(throws: StoreError.duplicateShipment(carrier: "ups", trackingNumber: "1Z999AA10123456784")) {
                _ = try await store.createShipment(tenantID: tenant.id, try draft("1Z999AA10123456784"), now: contractDate)
            }
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 1)
            #expect(try await store.deleteShipment(tenantID: other.id, id: shipment.id) == false)
            #expect(try await store.deleteShipment(tenantID: tenant.id, id: shipment.id))
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 0)
        }
    }

    @Test("a batch creates each on its own; an import twice changes nothing the second time", arguments: Backend.allCases)
    func batchesAndImports(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let results = try await store.createShipments(
                tenantID: tenant.id, [try draft("NUMBER0001"), try draft("NUMBER0001"), try draft("NUMBER0002")], now: contractDate)
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 2)
            let first = try await store.importShipments(tenantID: tenant.id, [try draft("NUMBER0003"), try draft("NUMBER0001")], now: contractDate)
            let again = try await store.importShipments(tenantID: tenant.id, [try draft("NUMBER0003"), try draft("NUMBER0001")], now: contractDate)
            #expect(first.map { if case .created = $0 { true } else { false } } == [true, false])
            #expect(again.map { if case .unchanged = $0 { true } else { false } } == [true, true])
            #expect(again.map(\.shipment) == first.map(\.shipment))
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 3)
        }
    }

    @Test("shoppers find a shipment by order and email or postal code, in any case and spacing", arguments: Backend.allCases)
    func lookups(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let shipment = try await store.createShipment(tenantID: tenant.id, try draft("1Z999AA10123456784", order: "A-77"), now: contractDate)
            #expect(try await store.lookupShipment(tenantID: tenant.id, orderNumber: "a-77", email: "JANE.doe@example.com", postalCode: nil)?.id == shipment.id)
            #expect(try await store.lookupShipment(tenantID: tenant.id, orderNumber: "A-77", email: nil, postalCode: "sw1a1aa")?.id == shipment.id)
            #expect(try await store.lookupShipment(tenantID: tenant.id, orderNumber: "A-77", email: "someone@example.com", postalCode: nil) == nil)
            #expect(try await store.lookupShipment(tenantID: tenant.id, orderNumber: "A-77", email: nil, postalCode: nil) == nil)
            #expect(try await store.lookupShipment(tenantID: tenant.id, trackingNumber: "1z999aa1 0123456784")?.shipment.id == shipment.id)
        }
    }

    @Test("pages of shipments are newest first, filtered, and the cursor goes on where the last page ended", arguments: Backend.allCases)
    func listing(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            var ids: [String] = []
            for index in 0..<5 {
                let email = index.isMultiple(of: 2) ? "even@example.com" : "odd@example.com"
                ids.append(try await store.createShipment(
                    tenantID: tenant.id, try draft("NUMBER000\(index)", email: email), now: contractDate.addingTimeInterval(Double(index))).id)
            }
            let first = try await store.listShipments(tenantID: tenant.id, filter: ShipmentFilter(), limit: 2, after: nil)
            #expect(first.page.map(\.shipment.id) == [ids[4], ids[3]])
            let second = try await store.listShipments(tenantID: tenant.id, filter: ShipmentFilter(), limit: 2, after: first.next)
            #expect(second.page.map(\.shipment.id) == [ids[2], ids[1]])
            let third = try await store.listShipments(tenantID: tenant.id, filter: ShipmentFilter(), limit: 2, after: second.next)
            #expect(third.page.map(\.shipment.id) == [ids[0]])
            #expect(third.next == nil)
            var filter = ShipmentFilter()
            filter.email = "EVEN@example.com"
            filter.createdAfter = contractDate.addingTimeInterval(1)
            #expect(try await store.listShipments(tenantID: tenant.id, filter: filter, limit: 10, after: nil).page.map(\.shipment.id) == [ids[4], ids[2]])
            let details = ShipmentDetails(orderNumber: "B-1", customer: Customer(name: "J"), destination: Destination(), metadata: ["k": "v"], archived: true)
            let updated = try await store.updateShipmentDetails(tenantID: tenant.id, id: ids[0], details, now: contractDate)
            #expect(updated?.shipment.archivedAt == contractDate)
            #expect(updated?.shipment.metadata == ["k": "v"])
            #expect(try await store.isArchived(tenantID: tenant.id, id: ids[0]))
            var archived = ShipmentFilter()
            archived.archived = true
            #expect(try await store.listShipments(tenantID: tenant.id, filter: archived, limit: 10, after: nil).page.map(\.shipment.id) == [ids[0]])
        }
    }

    @Test("a provider webhook creates the shipment, applies its events once, and a replay is a duplicate", arguments: Backend.allCases)
    func ingestOnce(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            let update = TrackingUpdate(trackingNumber: "1Z999AA10123456784", carrier: "ups", events: [
                event(0, .infoReceived, "label"), event(3600, .inTransit, "departed"),
            ])
            let body = Array(#"{"id":"evt_1"}"#.utf8)
            let first = try await store.ingest(tenantID: tenant.id, provider: "aftership", eventID: "evt_1", body: body, updates: [update], now: contractDate)
            #expect(!first.duplicate)
            #expect(first.results.first?.created == true)
            #expect(first.results.first?.inserted == 2)
            let again = try await store.ingest(tenantID: tenant.id, provider: "aftership", eventID: "evt_1", body: body, updates: [update], now: contractDate)
            #expect(again.duplicate)
            let shipmentID = try #require(first.results.first?.shipmentID)
            let tracked = try #require(try await store.shipment(tenantID: tenant.id, id: shipmentID))
            #expect(tracked.shipment.status == .inTransit)
            #expect(tracked.checkpoints.map(\.event.message) == ["departed", "label"])
            let stored = try await store.inboundEvents(tenantID: tenant.id, since: contractDate, provider: "aftership", id: nil)
            #expect(stored.map(\.body) == [body])
            #expect(try await store.inboundEvents(tenantID: tenant.id, since: contractDate, provider: "shippo", id: nil).isEmpty)
            // An older event arriving late is kept but does not move the status back.
            let late = try await store.recordCheckpoints(
                tenantID: tenant.id, shipmentID: shipmentID, events: [event(60, .inTransit, "arrived at hub")], eta: nil, now: contractDate)
            #expect(late.inserted == 1)
            #expect(late.shipment.status == .inTransit)
            #expect(late.shipment.lastEventAt == contractDate.addingTimeInterval(3600))
            let stamp = try #require(try await store.trackingPageStamp(slug: "acme", token: tracked.shipment.token))
            #expect(stamp.1?.checkpointCount == 3)
        }
    }

    @Test("32 webhooks at once for one new number: one shipment, every checkpoint, the newest decides", arguments: Backend.allCases)
    func concurrentIngest(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        let status: DeliveryStatus = index == 31 ? .delivered : .inTransit
                        let update = TrackingUpdate(trackingNumber: "1Z999AA10123456784", carrier: "ups", events: [event(Double(index) * 60, status, "scan \(index)")])
                        _ = try await store.ingest(
                            tenantID: tenant.id, provider: "aftership", eventID: "evt_\(index)", body: Array("\(index)".utf8), updates: [update],
                            now: contractDate)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 1)
            let shipment = try #require(try await store.lookupShipment(tenantID: tenant.id, trackingNumber: "1Z999AA10123456784"))
            #expect(shipment.checkpoints.count == 32)
            #expect(shipment.shipment.status == .delivered)
            #expect(shipment.shipment.deliveredAt == contractDate.addingTimeInterval(31 * 60))
        }
    }

    @Test("webhooks at once with replays among them and one the store cannot take: each stored once, replays are duplicates, only the bad one fails",
          arguments: Backend.allCases)
    func concurrentIngestWithReplaysAndAFailure(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
            // 120 events over 12 numbers, each sent twice at once; and one for a tenant that is gone.
            let outcomes = try await withThrowingTaskGroup(of: (Int, Result<InboundOutcome, any Error>).self) { group in
                for send in 0..<240 {
                    let index = send % 120
                    group.addTask {
                        let update = TrackingUpdate(trackingNumber: "1ZREPLAY\(index % 12)", carrier: "ups",
                                                    events: [event(Double(index) * 60, .inTransit, "scan \(index)")])
                        return (index, await answer {
                            try await store.ingest(tenantID: tenant.id, provider: "aftership", eventID: "evt_\(index)",
                                                   body: Array("\(index)".utf8), updates: [update], now: contractDate)
                        })
                    }
                }
                group.addTask {
                    let update = TrackingUpdate(trackingNumber: "1ZGONE", carrier: "ups", events: [event(0, .inTransit, "lost")])
                    return (-1, await answer {
                        try await store.ingest(tenantID: tenant.id + 1000, provider: "aftership", eventID: "evt_gone", body: [1],
                                               updates: [update], now: contractDate)
                    })
                }
                var all: [(Int, Result<InboundOutcome, any Error>)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let failed = outcomes.filter { (try? $0.1.get()) == nil }.map(\.0)
            #expect(failed == [-1])
            let firsts = outcomes.compactMap { index, outcome in (try? outcome.get()).flatMap { $0.duplicate ? nil : index } }
            #expect(firsts.sorted() == Array(0..<120))
            #expect(try await store.shipmentCount(tenantID: tenant.id) == 12)
            let stored = try await store.inboundEvents(tenantID: tenant.id, since: contractDate, provider: "aftership", id: nil)
            #expect(stored.count == 120)
            for number in 0..<12 {
                let shipment = try #require(try await store.lookupShipment(tenantID: tenant.id, trackingNumber: "1ZREPLAY\(number)"))
                #expect(shipment.checkpoints.count == 10)
                #expect(shipment.shipment.lastEventAt == contractDate.addingTimeInterval(Double(108 + number) * 60))
            }
        }
    }
}
