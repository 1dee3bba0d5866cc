import Foundation
import Testing
import WaymarkCore
import WaymarkStore

@Suite("recordCheckpoints")
struct IngestTests {
    func setUp() async throws -> (AppDatabase, Tenant, Shipment) {
        let database = try AppDatabase.temporary()
        let tenant = try await Fixture.tenant(database, slug: "acme").tenant
        let shipment = try await database.createShipment(tenantID: tenant.id, try Fixture.shipment())
        return (database, tenant, shipment)
    }

    @Test("The status follows the newest event time, whatever order events arrive in")
    func statusFollowsEventTime() async throws {
        let (database, tenant, shipment) = try await setUp()
        let first = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id,
            events: [Fixture.event(200, .inTransit), Fixture.event(100, .infoReceived)])
        #expect(first.inserted == 2)
        #expect(first.previousStatus == .pending)
        #expect(first.shipment.status == .inTransit)
        #expect(first.statusChanged)
        #expect(first.shipment.lastEventAt == storeReferenceDate.addingTimeInterval(200))

        let second = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(300, .outForDelivery)])
        #expect(second.previousStatus == .inTransit)
        #expect(second.shipment.status == .outForDelivery)

        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.shipment.status == .outForDelivery)
        #expect(stored.shipment.lastEventAt == storeReferenceDate.addingTimeInterval(300))
        #expect(stored.checkpoints.map(\.event.status) == [.outForDelivery, .inTransit, .infoReceived])
        #expect(stored.checkpoints.allSatisfy { $0.shipmentID == shipment.id })
    }

    @Test("Events in the same stored millisecond tie as stored ones do: the more advanced status wins, not the later microsecond")
    func sameMillisecondTies() async throws {
        let (database, tenant, shipment) = try await setUp()
        let outcome = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id,
            events: [Fixture.event(200.0001, .outForDelivery, "out"), Fixture.event(200.0004, .inTransit, "hub")])
        #expect(outcome.shipment.status == .outForDelivery)
        // Later, a new one in the stored millisecond (times are stored to the nearest one): read
        // back and compared as stored; then one in the next millisecond.
        let tie = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(200.0003, .inTransit, "again")])
        #expect(tie.shipment.status == .outForDelivery)
        let later = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(200.0011, .inTransit, "next")])
        #expect(later.shipment.status == .inTransit)
        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.shipment.status == .inTransit)
        let lastEvent = try #require(stored.shipment.lastEventAt?.timeIntervalSince(storeReferenceDate))
        #expect(abs(lastEvent - 200.001) < 0.000_01)
    }

    @Test("A late, older event does not move a delivered shipment back")
    func lateEventAfterDelivery() async throws {
        let (database, tenant, shipment) = try await setUp()
        let neighbour = Substatus(status: .delivered, reason: "left_with_neighbor")
        let delivered = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(500, .delivered, "Delivered", substatus: neighbour)])
        #expect(delivered.shipment.status == .delivered)
        #expect(delivered.shipment.deliveredAt == storeReferenceDate.addingTimeInterval(500))

        let late = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .inTransit, "Departed hub")])
        #expect(late.inserted == 1)
        #expect(late.shipment.status == .delivered)
        #expect(!late.statusChanged)

        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.shipment.status == .delivered)
        #expect(stored.shipment.substatus == neighbour)
        #expect(stored.shipment.deliveredAt == storeReferenceDate.addingTimeInterval(500))
        #expect(stored.shipment.lastEventAt == storeReferenceDate.addingTimeInterval(500))
        #expect(stored.checkpoints.count == 2)
        #expect(stored.checkpoints.first?.event.substatus == neighbour)
    }

    @Test("deliveredAt is set only once the shipment is delivered")
    func deliveredAt() async throws {
        let (database, tenant, shipment) = try await setUp()
        let moving = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .outForDelivery)])
        #expect(moving.shipment.deliveredAt == nil)
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.deliveredAt == nil)
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(200, .delivered)])
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.deliveredAt == storeReferenceDate.addingTimeInterval(200))
    }

    @Test("The same event twice is stored once and changes nothing the second time")
    func duplicateEvent() async throws {
        let (database, tenant, shipment) = try await setUp()
        let event = Fixture.event(100, .inTransit, "Arrived at facility")
        let first = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [event])
        #expect(first.inserted == 1)
        #expect(first.statusChanged)

        let again = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [event])
        #expect(again.inserted == 0)
        #expect(!again.statusChanged)

        // Same fingerprint: other whitespace and case in the message, a fraction of a second later.
        var reworded = event
        reworded.message = "  ARRIVED at   facility "
        reworded.occurredAt = event.occurredAt.addingTimeInterval(0.4)
        let reworded1 = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [reworded, event])
        #expect(reworded1.inserted == 0)
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.checkpoints.count == 1)
    }

    @Test("A batch holding the same event twice inserts it once")
    func duplicateInBatch() async throws {
        let (database, tenant, shipment) = try await setUp()
        let event = Fixture.event(100, .inTransit)
        let outcome = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [event, event, Fixture.event(200, .outForDelivery)])
        #expect(outcome.inserted == 2)
        #expect(outcome.shipment.status == .outForDelivery)
    }

    @Test("50 concurrent deliveries of the same event insert one checkpoint and change the status once")
    func concurrentSameEvent() async throws {
        let (database, tenant, shipment) = try await setUp()
        let event = Fixture.event(100, .outForDelivery, "Out for delivery")
        let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [event])
                }
            }
            var outcomes: [IngestOutcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 50)
        #expect(outcomes.map(\.inserted).reduce(0, +) == 1)
        #expect(outcomes.filter(\.statusChanged).count == 1)
        #expect(outcomes.allSatisfy { $0.shipment.status == .outForDelivery })
        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.checkpoints.count == 1)
        #expect(stored.shipment.status == .outForDelivery)
    }

    @Test("An unknown shipment id, or another tenant's, is shipmentNotFound")
    func notFound() async throws {
        let (database, tenant, shipment) = try await setUp()
        let other = try await Fixture.tenant(database, slug: "other").tenant
        await #expect(throws: StoreError.shipmentNotFound) {
            try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: "shp_nope", events: [Fixture.event(1, .inTransit)])
        }
        await #expect(throws: StoreError.shipmentNotFound) {
            try await database.recordCheckpoints(tenantID: other.id, shipmentID: shipment.id, events: [Fixture.event(1, .delivered)])
        }
        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.checkpoints.isEmpty)
        #expect(stored.shipment.status == .pending)
    }

    @Test("A new ETA alone is saved")
    func etaOnly() async throws {
        let (database, tenant, shipment) = try await setUp()
        let eta = storeReferenceDate.addingTimeInterval(2 * 86_400)
        let outcome = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [], eta: .some(eta))
        #expect(outcome.inserted == 0)
        #expect(outcome.shipment.eta == eta)
        #expect(try await database.shipment(tenantID: tenant.id, id: shipment.id)?.shipment.eta == eta)
    }

    @Test("Same-time checkpoints: status is the more advanced one; the stored timeline should agree")
    func sameTimeTimeline() async throws {
        let (database, tenant, shipment) = try await setUp()
        _ = try await database.recordCheckpoints(tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .delivered, "Delivered")])
        let outcome = try await database.recordCheckpoints(
            tenantID: tenant.id, shipmentID: shipment.id, events: [Fixture.event(100, .outForDelivery, "Out for delivery")])
        #expect(outcome.shipment.status == .delivered)
        #expect(!outcome.statusChanged)
        let stored = try #require(try await database.shipment(tenantID: tenant.id, id: shipment.id))
        #expect(stored.shipment.status == .delivered)
        #expect(Set(stored.checkpoints.map(\.event.status)) == [.delivered, .outForDelivery])
        #expect(stored.checkpoints.map(\.event.status) == [.delivered, .outForDelivery])
    }
}
