import Foundation
import Testing
import WaymarkCore
import WaymarkStore

private typealias Stores = any TenantStore & ShipmentStore & IngestStore & SupportStore

@Suite("SupportStore contract")
struct SupportStoreContractTests {
    /// Three shipments of one tenant (and one of another), a day apart.
    private func seed(_ store: Stores) async throws -> (tenant: Tenant, ids: [String]) {
        let tenant = try await ContractFixture.tenant(store, slug: "acme").tenant
        let other = try await ContractFixture.tenant(store, slug: "other").tenant
        let drafts = [
            ("1Z999AA10123456784", "ups", "A-1001", "Jane.Doe@example.com", "+15551230001"),
            ("9400111899223100001234", "usps", "A-1002", "john@example.com", "+15551230002"),
            ("JJD000390007788", "dhl", "b-77", "jane.roe@example.com", nil),
        ]
        var ids: [String] = []
        for (index, draft) in drafts.enumerated() {
            let new = try NewShipment(
                trackingNumber: draft.0, carrier: draft.1, orderNumber: draft.2, customer: Customer(name: "N", email: draft.3, phone: draft.4)
            ).validated()
            ids.append(try await store.createShipment(tenantID: tenant.id, new, now: contractDate.addingTimeInterval(Double(index) * 86_400)).id)
        }
        _ = try await store.createShipment(
            tenantID: other.id, try NewShipment(trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "A-1001").validated(),
            now: contractDate)
        return (tenant, ids)
    }

    @Test("search matches order, tracking number, email and phone, exactly or by prefix, newest first, paged", arguments: Backend.allCases)
    func search(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let (tenant, ids) = try await seed(store)
            func found(_ search: ShipmentSearch) async throws -> [String] { try await store.searchShipments(tenantID: tenant.id, search).map(\.id) }
            #expect(try await found(ShipmentSearch(text: "A-100", asOf: contractDate)) == [ids[1], ids[0]])
            #expect(try await found(ShipmentSearch(text: "b-77", asOf: contractDate)) == [ids[2]])  // as typed, or in capitals
            #expect(try await found(ShipmentSearch(text: "1z999aa1", asOf: contractDate)) == [ids[0]])
            #expect(try await found(ShipmentSearch(text: "JANE", asOf: contractDate)) == [ids[2], ids[0]])
            #expect(try await found(ShipmentSearch(text: "+1555123000", asOf: contractDate)) == [ids[1], ids[0]])
            #expect(try await found(ShipmentSearch(text: "nothing like it", asOf: contractDate)).isEmpty)
            #expect(try await found(ShipmentSearch(carrier: "DHL", asOf: contractDate)) == [ids[2]])
            #expect(try await found(ShipmentSearch(sort: .oldest, asOf: contractDate)) == ids)
            let first = try await store.searchShipments(tenantID: tenant.id, ShipmentSearch(limit: 2, asOf: contractDate))
            #expect(first.map(\.id) == [ids[2], ids[1]])
            let cursor = try #require(first.last.map { ShipmentCursor(createdAt: $0.createdAt, id: $0.id) })
            #expect(try await found(ShipmentSearch(after: cursor, limit: 2, asOf: contractDate)) == [ids[0]])
            #expect(try await store.carriersInUse(tenantID: tenant.id) == ["dhl", "ups", "usps"])
        }
    }

    @Test("stalled shipments are found by the tenant's threshold; the dashboard counts them and page views by day", arguments: Backend.allCases)
    func stalledAndDashboard(_ backend: Backend) async throws {
        try await backend.withStore(as: Stores.self) { store in
            let (tenant, ids) = try await seed(store)
            let event = CheckpointEvent(occurredAt: contractDate, status: .inTransit, message: "departed", source: "test")
            _ = try await store.recordCheckpoints(tenantID: tenant.id, shipmentID: ids[0], events: [event], eta: nil, now: contractDate)
            let fourDaysOn = contractDate.addingTimeInterval(4 * 86_400)
            #expect(try await store.searchShipments(tenantID: tenant.id, ShipmentSearch(attention: .stalled, asOf: fourDaysOn)).map(\.id) == [ids[0]])
            #expect(try await store.searchShipments(tenantID: tenant.id, ShipmentSearch(attention: .stalled, asOf: contractDate)).isEmpty)
            let token = try #require(try await store.shipment(tenantID: tenant.id, id: ids[0])?.shipment.token)
            var batch = PageViewBatch()
            batch.byToken[token] = .init(views: 3, fromMessages: 1, first: contractDate, last: fourDaysOn)
            batch.byToken["no-such-token-at-all-here"] = .init(views: 9, first: contractDate, last: contractDate)
            batch.byTenantDay[.init(tenantID: tenant.id, day: RFC3339.day(fourDaysOn))] = .init(views: 3, fromMessages: 1, first: contractDate, last: fourDaysOn)
            try await store.recordPageViews(batch)
            try await store.recordPageViews(batch)
            let figures = try await store.dashboard(tenantID: tenant.id, now: fourDaysOn)
            #expect(figures.byStatus[.inTransit] == 1)
            #expect(figures.byStatus[.pending] == 2)
            #expect(figures.stalled == 1)
            #expect(figures.pageViews.last?.views == 6)
            #expect(figures.pageViews.last?.fromMessages == 2)
            #expect(figures.shipmentsInWindow == 3)
            #expect(figures.viewed == 1)
            #expect(figures.viewedFromMessage == 1)
        }
    }
}
