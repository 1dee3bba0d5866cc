import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkWeb

@Suite struct ShipmentsAPITests {
    func auth(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)", .contentType: "application/json"] }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func createsAShipmentAndReadsItBack() async throws {
        let fixture = try await Fixture.make()
        let body = """
            {"tracking_number": "9400 1000 0000 0000 0000 00", "carrier": "usps", "order_number": "A-1",
             "customer": {"name": "Sam", "email": "Sam@Example.COM", "locale": "de-AT"},
             "destination": {"city": "Denver", "region": "CO", "postal_code": "80202", "country": "us"},
             "eta": "2026-12-03", "metadata": {"channel": "web"}, "unknown_field": true}
            """
        try await fixture.app().test(.router) { client in
            let created = try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.contentType] == "application/json")
                return try json(response)
            }
            let id = try #require(created["id"] as? String)
            #expect(id.hasPrefix("shp_"))
            #expect(created["tracking_number"] as? String == "9400100000000000000000")
            #expect(created["status"] as? String == "pending")
            #expect(created["eta"] as? String == "2026-12-03")
            #expect((created["customer"] as? [String: Any])?["email"] as? String == "Sam@example.com")
            #expect((created["customer"] as? [String: Any])?["locale"] as? String == "de")
            #expect((created["destination"] as? [String: Any])?["country"] as? String == "US")
            #expect((created["checkpoints"] as? [Any])?.isEmpty == true)
            let url = try #require(created["tracking_url"] as? String)
            #expect(url.hasPrefix("https://track.waymark.test/acme/t/"))
            let token = String(url.split(separator: "/").last ?? "")
            #expect(token.count >= 22)

            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["tracking_url"] as? String == url)
            }
            // The link works.
            try await client.execute(uri: "/acme/t/\(token)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("Order A-1"))
            }
        }
    }

    @Test func showsCheckpointsWithTheirLocalOffsets() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                let body = try json(response)
                #expect(body["status"] as? String == "out_for_delivery")
                let checkpoints = try #require(body["checkpoints"] as? [[String: Any]])
                #expect(checkpoints.count == 3)
                #expect(checkpoints.first?["occurred_at"] as? String == "2026-11-27T06:00:00-05:00")
                #expect(checkpoints.last?["status"] as? String == "info_received")
            }
        }
    }

    @Test func missingOrWrongKeyIs401ProblemJSON() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wm_not-a-real-key"], [.authorization: "Basic Zm9vOmJhcg=="]] {
                try await client.execute(uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    let problem = try json(response)
                    #expect(problem["status"] as? Int == 401)
                    #expect((problem["detail"] as? String)?.isEmpty == false)
                }
            }
        }
    }

    @Test func anotherTenantsShipmentIs404() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/\(fixture.globexShipment.id)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(!response.text.contains("00340434161094042557"))
            }
            try await client.execute(uri: "/api/v1/shipments/\(fixture.globexShipment.id)", method: .get, headers: auth(fixture.globex.apiKey)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func massAssignmentOfServerFieldsHasNoEffect() async throws {
        let fixture = try await Fixture.make()
        let body = """
            {"tracking_number": "1Z999AA10123456799", "id": "shp_mine", "tenant_id": \(fixture.globex.tenant.id),
             "status": "delivered", "created_at": "2001-01-01T00:00:00Z", "tracking_url": "https://evil.test/x"}
            """
        try await fixture.app().test(.router) { client in
            let created = try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) {
                try json($0)
            }
            #expect(created["id"] as? String != "shp_mine")
            #expect(created["status"] as? String == "pending")
            #expect((created["created_at"] as? String)?.hasPrefix("2001") == false)
            #expect((created["tracking_url"] as? String)?.hasPrefix("https://track.waymark.test/acme/") == true)
            // Still acme's: globex can't see it.
            let id = try #require(created["id"] as? String)
            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .get, headers: auth(fixture.globex.apiKey)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test(arguments: [
        ("{not json", 400, "body"),
        ("[1, 2]", 400, "body"),
        ("{\"tracking_number\": 42}", 400, "tracking_number"),
        ("{}", 422, "tracking_number"),
        ("{\"tracking_number\": \"ABC 123\", \"carrier\": \"pigeon\"}", 422, "carrier"),
        ("{\"tracking_number\": \"ABC123\", \"customer\": {\"email\": \"not-an-email\"}}", 422, "customer.email"),
        ("{\"tracking_number\": \"ABC123\", \"eta\": \"next tuesday\"}", 422, "eta"),
        ("{\"tracking_number\": \"ABC123\", \"order_number\": \"A\\r\\nBcc: x@evil.test\"}", 422, "order_number"),
        ("{\"tracking_number\": \"ABC123\", \"destination\": {\"country\": \"Germany\"}}", 422, "destination.country"),
    ])
    func badInputIsA4xxThatNamesTheProblem(body: String, status: Int, field: String) async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) { response in
                #expect(response.status.code == status)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try json(response)
                if status == 422 {
                    let errors = try #require(problem["errors"] as? [[String: String]])
                    #expect(errors.contains { $0["field"] == field }, "\(errors)")
                } else if field != "body" {
                    #expect((problem["detail"] as? String)?.contains(field) == true, "\(problem)")
                }
            }
            // Nothing was half-written.
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.acme.tenant.id) == 1)
        }
    }

    @Test func duplicateTrackingNumberIs409() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey),
                body: ByteBuffer(string: "{\"tracking_number\": \"1Z999AA10123456784\", \"carrier\": \"ups\"}")
            ) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func unknownIdIs404ProblemJSON() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/shp_doesnotexist", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .notFound)
                let problem = try json(response)
                #expect(problem["status"] as? Int == 404)
            }
        }
    }
}
