import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
@testable import WaymarkWeb

@Suite struct CarriersAPITests {
    func auth(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)"] }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func listsEveryCarrierWithItsTrackingPage() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/carriers", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let carriers = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]])
                #expect(carriers.count == CarrierRegistry.all.count)
                let ups = try #require(carriers.first { $0["code"] as? String == "ups" })
                #expect(ups["name"] as? String == "UPS")
                #expect(ups["country"] as? String == "US")
                #expect(ups["tracking_url_template"] as? String == "https://www.ups.com/track?tracknum={number}")
                // Always present: null when a carrier has no home country.
                let dpd = try #require(carriers.first { $0["code"] as? String == "dpd" })
                #expect(dpd["country"] is NSNull)
                for code in ["usps", "fedex", "dhl", "royal-mail", "deutsche-post", "post-cv"] {
                    #expect(carriers.contains { $0["code"] as? String == code }, "\(code)")
                }
            }
        }
    }

    @Test func detectsACarrierWithItsTrackingURL() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/carriers/detect?number=1z%205R89%203903%205756%207127", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = try json(response)
                #expect(body["input"] as? String == "1z 5R89 3903 5756 7127")
                let candidates = try #require(body["candidates"] as? [[String: Any]])
                let best = try #require(candidates.first)
                #expect(best["carrier"] as? String == "ups")
                #expect(best["name"] as? String == "UPS")
                #expect(best["valid"] as? Bool == true)
                #expect(best["tracking_url"] as? String == "https://www.ups.com/track?tracknum=1Z5R89390357567127")
            }
            // "+" for a space, as HTML forms encode it.
            try await client.execute(uri: "/api/v1/carriers/detect?number=RB+123+456+785+GB", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                let candidates = try #require(try json(response)["candidates"] as? [[String: Any]])
                #expect(candidates.first?["carrier"] as? String == "royal-mail")
            }
        }
    }

    @Test func answersTheSameJSONAsTheCommandLine() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/carriers/detect?number=1Z5R89390357567128", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                let decoded = try JSONDecoder().decode(CarrierDetectionResource.self, from: Data(response.body.readableBytesView))
                #expect(decoded == CarrierDetectionResource(detecting: "1Z5R89390357567128"))
                #expect(decoded.candidates.map(\.carrier) == ["ups"])
                #expect(decoded.candidates.first?.valid == false)
            }
        }
    }

    @Test func aNumberNoFormatFitsHasNoCandidates() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/carriers/detect?number=ORDER-1001", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .ok)
                let body = try json(response)
                #expect(body["input"] as? String == "ORDER-1001")
                #expect((body["candidates"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(arguments: ["", "?number=", "?number=%20%20", "?other=1Z5R89390357567127", "?number=" + String(repeating: "1", count: 65)])
    func missingEmptyOrOverlongNumberIs400ProblemJSON(query: String) async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/carriers/detect\(query)", method: .get, headers: auth(fixture.acme.apiKey)) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try json(response)
                #expect(problem["status"] as? Int == 400)
                let errors = try #require(problem["errors"] as? [[String: String]])
                #expect(errors.first?["field"] == "number")
            }
        }
    }

    @Test func bothRoutesNeedAnAPIKey() async throws {
        let fixture = try await Fixture.make()
        try await fixture.app().test(.router) { client in
            for uri in ["/api/v1/carriers", "/api/v1/carriers/detect?number=1Z5R89390357567127"] {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wm_not-a-real-key"]] {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(uri)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }
}
