import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WaymarkWeb

/// Batch, listing, patching, deleting, events, idempotency and rate limits of the shipments API.
@Suite struct ShipmentsAPIWorkflowTests {
    func auth(_ key: String, _ extra: HTTPFields = [:]) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        headers.append(contentsOf: extra)
        return headers
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func idempotencyKeyReplaysTheFirstAnswerAndRefusesADifferentBody() async throws {
        let fixture = try await Fixture.make()
        let key = Idempotency.header
        let body = ByteBuffer(string: #"{"tracking_number": "IDEM1", "order_number": "I-1"}"#)
        try await fixture.app().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey, [key: "abc-123"]), body: body) { $0 }
            let second = try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey, [key: "abc-123"]), body: body) { $0 }
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.body == second.body)
            #expect(second.headers[Idempotency.replayedHeader] == "true")
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.acme.tenant.id) == 2)

            try await client.execute(
                uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey, [key: "abc-123"]),
                body: ByteBuffer(string: #"{"tracking_number": "IDEM2"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let parsed = try object(response)
                #expect(parsed["type"] as? String == "urn:waymark:problem:idempotency-key-reused")
            }
            // Keys belong to a tenant: globex may use the same key for its own request.
            try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.globex.apiKey, [key: "abc-123"]), body: body) { response in
                #expect(response.status == .created)
                #expect(response.headers[Idempotency.replayedHeader] == nil)
            }
        }
    }

    @Test func batchAnswersEveryItemInOrderAndSavesTheValidOnes() async throws {
        let fixture = try await Fixture.make()
        let body = #"""
            {"shipments": [
              {"tracking_number": "BATCH1", "order_number": "B-1"},
              {"tracking_number": "BATCH2", "customer": {"email": "nope"}},
              {"tracking_number": 7},
              {"tracking_number": "1Z999AA10123456784", "carrier": "ups"},
              {"tracking_number": "BATCH3"}
            ]}
            """#
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/batch", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let results = try #require(try object(response)["results"] as? [[String: Any]])
                #expect(results.map { $0["index"] as? Int } == [0, 1, 2, 3, 4])
                #expect((results[0]["shipment"] as? [String: Any])?["tracking_number"] as? String == "BATCH1")
                #expect((results[1]["error"] as? [String: Any])?["status"] as? Int == 422)
                #expect((results[2]["error"] as? [String: Any])?["status"] as? Int == 400)
                #expect((results[3]["error"] as? [String: Any])?["status"] as? Int == 409)
                #expect((results[4]["shipment"] as? [String: Any]) != nil)
            }
            #expect(try await fixture.database.shipmentCount(tenantID: fixture.acme.tenant.id) == 3)
            for count in [0, 1_001] {
                let items = Array(repeating: #"{"tracking_number": "X"}"#, count: count).joined(separator: ",")
                try await client.execute(uri: "/api/v1/shipments/batch", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: "{\"shipments\": [\(items)]}")) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }

    @Test func listFiltersAndPagesWithoutGapsOrRepeats() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for index in 0..<7 {
                let body = #"{"tracking_number": "LIST\#(index)", "carrier": "\#(index % 2 == 0 ? "dhl" : "fedex")", "order_number": "L-\#(index)", "customer": {"email": "c\#(index)@example.com"}}"#
                _ = try await client.execute(uri: "/api/v1/shipments", method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: body)) { $0 }
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = "/api/v1/shipments?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.execute(uri: uri, method: .get, headers: auth(fixture.acme.apiKey)) { try object($0) }
                let data = try #require(page["data"] as? [[String: Any]])
                #expect(data.count <= 3)
                seen += data.compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
                #expect(page.keys.contains("next_cursor"))
            } while cursor != nil
            #expect(seen.count == 8, "7 new + the fixture's one")
            #expect(Set(seen).count == seen.count)

            let queries: [(String, Int)] = [
                ("carrier=dhl", 4), ("carrier=fedex", 3), ("status=pending", 7), ("status=out_for_delivery", 1),
                ("email=C3@example.com", 1), ("order_number=l-4", 1), ("tracking_number=list5", 1),
                ("created_after=2100-01-01T00:00:00Z", 0), ("created_before=2000-01-01T00:00:00Z", 0),
            ]
            for (query, expected) in queries {
                let page = try await client.execute(uri: "/api/v1/shipments?\(query)", method: .get, headers: auth(fixture.acme.apiKey)) { try object($0) }
                #expect((page["data"] as? [Any])?.count == expected, "\(query)")
            }
            // Globex sees only its own.
            let other = try await client.execute(uri: "/api/v1/shipments", method: .get, headers: auth(fixture.globex.apiKey)) { try object($0) }
            #expect((other["data"] as? [Any])?.count == 1)

            for bad in ["status=lost", "limit=0", "limit=1000", "cursor=zzz", "created_after=yesterday", "archived=maybe"] {
                try await client.execute(uri: "/api/v1/shipments?\(bad)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    let field = String(bad.split(separator: "=")[0])
                    let errors = try object(response)["errors"] as? [[String: String]]
                    #expect(errors?.contains { $0["field"] == field } == true, "\(bad)")
                }
            }
        }
    }

    @Test func patchMergesDetailsAndArchives() async throws {
        let fixture = try await Fixture.make()
        let id = fixture.acmeShipment.id
        try await fixture.app().test(.router) { client in
            let patch = #"{"order_number": "ACME-2002", "customer": {"email": null, "locale": "fr"}, "destination": {"city": "Queens"}, "metadata": {"gift": "yes"}, "status": "delivered"}"#
            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .patch, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: patch)) { response in
                #expect(response.status == .ok)
                let body = try object(response)
                #expect(body["order_number"] as? String == "ACME-2002")
                let customer = try #require(body["customer"] as? [String: Any])
                #expect(customer["email"] == nil || customer["email"] is NSNull)
                #expect(customer["name"] as? String == "Jane Shopper", "untouched fields stay")
                #expect(customer["locale"] as? String == "fr")
                let destination = try #require(body["destination"] as? [String: Any])
                #expect(destination["city"] as? String == "Queens")
                #expect(destination["postal_code"] as? String == "11201")
                #expect((body["metadata"] as? [String: String]) == ["gift": "yes"])
                #expect(body["status"] as? String == "out_for_delivery", "status is not patchable")
            }
            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .patch, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: #"{"customer": {"phone": "12"}}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let parsed = try object(response)
                #expect(parsed["errors"].map { "\($0)" }?.contains("customer.phone") == true)
            }
            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .patch, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: #"{"archived": true}"#)) { response in
                #expect(response.status == .ok)
                let parsed = try object(response)
                #expect(parsed["archived"] as? Bool == true)
            }
            let active = try await client.execute(uri: "/api/v1/shipments", method: .get, headers: auth(fixture.acme.apiKey)) { try object($0) }
            #expect((active["data"] as? [Any])?.isEmpty == true)
            let archived = try await client.execute(uri: "/api/v1/shipments?archived=true", method: .get, headers: auth(fixture.acme.apiKey)) { try object($0) }
            #expect((archived["data"] as? [Any])?.count == 1)
            try await client.execute(uri: "/api/v1/shipments/\(id)", method: .patch, headers: auth(fixture.globex.apiKey), body: ByteBuffer(string: #"{"archived": false}"#)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func deleteRemovesOnlyYourOwnShipment() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .delete, headers: auth(fixture.globex.apiKey)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .delete, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/shipments/\(fixture.acmeShipment.id)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func pushedEventsGoThroughTheIngestRules() async throws {
        let fixture = try await Fixture.make()
        let uri = "/api/v1/shipments/\(fixture.acmeShipment.id)/events"
        let delivered = #"{"status": "delivered", "substatus": "delivered.signed", "message": "Signed by J.", "occurred_at": "2026-11-27T08:30:00-05:00", "location": {"city": "Brooklyn", "region": "NY", "country": "us"}}"#
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: delivered)) { response in
                #expect(response.status == .created)
                let body = try object(response)
                #expect(body["status"] as? String == "delivered")
                #expect(body["substatus"] as? String == "delivered.signed")
                let first = try #require((body["checkpoints"] as? [[String: Any]])?.first)
                #expect(first["occurred_at"] as? String == "2026-11-27T08:30:00-05:00")
                #expect(first["source"] as? String == "api")
            }
            // The same event again: stored once.
            try await client.execute(uri: uri, method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: delivered)) { response in
                #expect(response.status == .ok)
                let parsed = try object(response)
                #expect((parsed["checkpoints"] as? [Any])?.count == 4)
            }
            // A late, older in-transit scan does not undo the delivery.
            let late = #"{"status": "in_transit", "message": "Departed facility", "occurred_at": "2026-11-26T01:00:00Z"}"#
            try await client.execute(uri: uri, method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: late)) { response in
                #expect(response.status == .created)
                let parsed = try object(response)
                #expect(parsed["status"] as? String == "delivered")
            }
            let bad = #"{"status": "teleported", "substatus": "x", "message": "", "occurred_at": "yesterday", "location": {"country": "USA"}}"#
            try await client.execute(uri: uri, method: .post, headers: auth(fixture.acme.apiKey), body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                let fields = Set((try object(response)["errors"] as? [[String: String]])?.compactMap { $0["field"] } ?? [])
                #expect(fields.isSuperset(of: ["status", "message", "occurred_at", "location.country"]), "\(fields)")
            }
            try await client.execute(uri: uri, method: .post, headers: auth(fixture.globex.apiKey), body: ByteBuffer(string: delivered)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func eachKeyIsRateLimited() async throws {
        let fixture = try await Fixture.make { $0.apiRequestsPerMinute = 3 }
        try await fixture.app().test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/shipments", method: .get, headers: auth(fixture.acme.apiKey)) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/shipments", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[HTTPField.Name("Retry-After")!].flatMap(Int.init) != nil)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // Another key has its own budget.
            try await client.execute(uri: "/api/v1/shipments", method: .get, headers: auth(fixture.globex.apiKey)) { #expect($0.status == .ok) }
        }
    }
}
