import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkWeb

@Suite struct ShipmentImportAPITests {
    let csv = """
        order_number,Tracking_Number,email,country,gift_note
        A-1,CSV0001,a@example.com,US,yes
        A-2,CSV0002,not-an-email,US,no
        A-3,CSV0003,c@example.com,DE,
        """

    func headers(_ key: String, _ type: String = "text/csv") -> HTTPFields {
        [.authorization: "Bearer \(key)", .contentType: type]
    }

    func summary(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func importsValidRowsReportsBadOnesAndChangesNothingTheSecondTime() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/shipments/import", method: .post, headers: headers(fixture.acme.apiKey), body: ByteBuffer(string: csv)) {
                #expect($0.status == .ok)
                return try summary($0)
            }
            #expect(first["created"] as? Int == 2)
            #expect(first["failed"] as? Int == 1)
            let errors = try #require(first["errors"] as? [[String: Any]])
            #expect(errors.first?["row"] as? Int == 3)
            #expect(errors.first?["field"] as? String == "email")
            #expect((first["warnings"] as? [String])?.contains { $0.contains("gift_note") } == true)

            let second = try await client.execute(uri: "/api/v1/shipments/import", method: .post, headers: headers(fixture.acme.apiKey), body: ByteBuffer(string: csv)) {
                try summary($0)
            }
            #expect(second["created"] as? Int == 0)
            #expect(second["unchanged"] as? Int == 2)
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.acme.tenant.id) == 3)
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.globex.tenant.id) == 1)
        }
    }

    @Test func refusesOtherMediaTypesAndFilesWithoutTheTrackingNumberColumn() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/import", method: .post, headers: headers(fixture.acme.apiKey, "application/json"), body: ByteBuffer(string: csv)) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/v1/shipments/import", method: .post, headers: headers(fixture.acme.apiKey), body: ByteBuffer(string: "order_number,email\nA-1,a@example.com\n")) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.text.contains("tracking_number"))
            }
        }
    }
}
