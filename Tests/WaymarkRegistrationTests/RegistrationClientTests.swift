import Foundation
import Testing
import WaymarkProviders
import WaymarkCore
import WaymarkStore

/// Each live client against a local stand-in: the request a provider would see (method, path,
/// key header, JSON body) and how its answers become results.
@Suite("Registration clients")
struct RegistrationClientTests {
    static func job(
        _ id: Int64 = 1, number: String = "1Z999AA10123456784", carrier: String = "ups", orderNumber: String? = "A-1001",
        email: String? = "jane@example.com", postalCode: String? = "SW1A 1AA"
    ) -> RegistrationJob {
        RegistrationJob(
            id: id, tenantID: 7, provider: "test", shipmentID: "shp_\(id)", trackingNumber: number, carrier: carrier,
            orderNumber: orderNumber, customerEmail: email, postalCode: postalCode, apiKey: "key-123", leaseExpiresAt: Date())
    }

    @Test("Track123: one import of the batch with Track123-Api-Secret; a rejected item fails alone")
    func track123() async throws {
        let server = ProviderStandIn { _, _ in
            .init(status: .ok, body: """
                {"code":"00000","data":{"accepted":[{"trackNo":"1Z999AA10123456784"}],
                 "rejected":[{"index":1,"trackNo":"LX123","error":{"code":"A0400","msg":"Invalid tracking number."}}]}}
                """)
        }
        let jobs = [Self.job(1), Self.job(2, number: "LX123", carrier: "royal-mail", orderNumber: nil, email: nil, postalCode: nil)]

        let results = try await server.serve { base in
            try await Track123Registration(baseURL: base).register(jobs, apiKey: "t123-secret")
        }

        let request = try #require(server.received.only)
        #expect(request.method == "POST")
        #expect(request.path == "/gateway/open-api/tk/v2/track/import")
        #expect(request.headers["track123-api-secret"] == "t123-secret")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.json == [
            ["trackNo": "1Z999AA10123456784", "courierCode": "ups", "orderNo": "A-1001", "customerEmail": "jane@example.com", "postalCode": "SW1A 1AA"],
            ["trackNo": "LX123"],
        ])
        #expect(results == [.registered, .failed(RegistrationFailure("track123: rejected A0400 (Invalid tracking number)", permanent: true))])
    }

    @Test("AfterShip: one tracking per number with as-api-key; 409 'already exists' counts as registered")
    func aftership() async throws {
        let server = ProviderStandIn { request, _ in
            request.json?["tracking_number"] == "DUPLICATE1"
                ? .init(status: .conflict, body: #"{"meta":{"code":4003,"message":"Tracking already exists."}}"#)
                : .init(status: .created, body: #"{"meta":{"code":200},"data":{"id":"abc"}}"#)
        }
        let jobs = [Self.job(1, carrier: "fedex"), Self.job(2, number: "DUPLICATE1", carrier: "unknown", orderNumber: nil, email: nil)]

        let results = try await server.serve { base in
            try await AfterShipRegistration(baseURL: base).register(jobs, apiKey: "as-key")
        }

        #expect(results == [.registered, .registered])
        #expect(server.received.count == 2)
        let first = try #require(server.received.first)
        #expect(first.method == "POST" && first.path == "/tracking/2026-07/trackings")
        #expect(first.headers["as-api-key"] == "as-key")
        #expect(first.json == ["tracking_number": "1Z999AA10123456784", "slug": "fedex", "order_number": "A-1001", "emails": ["jane@example.com"]])
        #expect(server.received.last?.json == ["tracking_number": "DUPLICATE1"])
    }

    @Test("AfterShip: a refused key is a permanent failure that names the key, not the number")
    func aftershipRefusedKey() async throws {
        let server = ProviderStandIn { _, _ in .init(status: .unauthorized, body: #"{"meta":{"code":401,"message":"Invalid API key."}}"#) }

        let results = try await server.serve { base in try await AfterShipRegistration(baseURL: base).register([Self.job()], apiKey: "wrong") }

        #expect(results == [.failed(RegistrationFailure("aftership: 401 Unauthorized (invalid API key)", permanent: true))])
    }

    @Test("17TRACK: one register call for the batch with 17token and numeric carriers; a rejected number fails alone")
    func seventeenTrack() async throws {
        let server = ProviderStandIn { _, _ in
            .init(status: .ok, body: """
                {"code":0,"data":{"accepted":[{"number":"1Z999AA10123456784","carrier":100002}],
                 "rejected":[{"number":"BAD1","error":{"code":-18010012,"message":"The format of 'number' is invalid."}},
                             {"number":"OLD1","error":{"code":-18019901,"message":"The tracking number is already registered."}}]}}
                """)
        }
        let jobs = [Self.job(1), Self.job(2, number: "BAD1", carrier: "unknown"), Self.job(3, number: "OLD1", carrier: "dhl")]

        let results = try await server.serve { base in try await SeventeenTrackRegistration(baseURL: base).register(jobs, apiKey: "17-key") }

        let request = try #require(server.received.only)
        #expect(request.method == "POST" && request.path == "/track/v2.2/register")
        #expect(request.headers["17token"] == "17-key")
        #expect(request.json == [["number": "1Z999AA10123456784", "carrier": 100_002], ["number": "BAD1"], ["number": "OLD1", "carrier": 100_001]])
        #expect(results == [
            .registered,
            .failed(RegistrationFailure("17track: rejected -18010012 (The format of 'number' is invalid)", permanent: true)),
            .registered,
        ])
    }

    @Test("EasyPost: one tracker per number with a Bearer key")
    func easypost() async throws {
        let server = ProviderStandIn { _, _ in .init(status: .created, body: #"{"id":"trk_1","object":"Tracker"}"#) }

        let results = try await server.serve { base in
            try await EasyPostRegistration(baseURL: base).register([Self.job(carrier: "usps")], apiKey: "EZAK123")
        }

        let request = try #require(server.received.only)
        #expect(request.method == "POST" && request.path == "/v2/trackers")
        #expect(request.headers["authorization"] == "Bearer EZAK123")
        #expect(request.json == ["tracker": ["tracking_code": "1Z999AA10123456784", "carrier": "USPS"]])
        #expect(results == [.registered])
    }

    @Test("Shippo: one track per number with a ShippoToken; a carrier Shippo can't name fails without a request")
    func shippo() async throws {
        let server = ProviderStandIn { _, _ in .init(status: .created, body: #"{"tracking_number":"x"}"#) }
        let jobs = [Self.job(1, carrier: "dhl"), Self.job(2, number: "NOCARRIER", carrier: "unknown")]

        let results = try await server.serve { base in try await ShippoRegistration(baseURL: base).register(jobs, apiKey: "shippo_live_1") }

        let request = try #require(server.received.only)
        #expect(request.method == "POST" && request.path == "/tracks")
        #expect(request.headers["authorization"] == "ShippoToken shippo_live_1")
        #expect(request.json == ["carrier": "dhl_express", "tracking_number": "1Z999AA10123456784"])
        #expect(results.first == .registered)
        guard case .failed(let failure) = results.last else {
            Issue.record("an unknown carrier should fail at Shippo")
            return
        }
        #expect(failure.permanent && failure.message.hasPrefix("shippo: carrier 'unknown'"))
    }

    @Test("429 and 5xx are retryable, honouring Retry-After; other 4xx are permanent with the provider's words")
    func statusClassification() async throws {
        let server = ProviderStandIn { _, index in
            switch index {
            case 0: .init(status: .tooManyRequests, headers: ["Retry-After": "120"], body: "{}")
            case 1: .init(status: .serviceUnavailable, body: "<html>down</html>")
            default: .init(status: .unprocessableContent, body: #"{"error":{"code":"TRACKER.INVALID","message":"Invalid tracking code for key-123."}}"#)
            }
        }

        let results = try await server.serve { base in
            try await EasyPostRegistration(baseURL: base).register([Self.job(1), Self.job(2), Self.job(3)], apiKey: "key-123")
        }

        #expect(results == [
            .failed(RegistrationFailure("easypost: 429 Too Many Requests (rate limited)", permanent: false, retryAfter: 120)),
            .failed(RegistrationFailure("easypost: 503 Service Unavailable", permanent: false)),
            // The key, echoed by the provider, is blanked out of what the merchant sees.
            .failed(RegistrationFailure("easypost: 422 Unprocessable Entity (Invalid tracking code for ***)", permanent: true)),
        ])
    }

    @Test("A provider that can't be reached is a retryable failure")
    func unreachable() async throws {
        // The stand-in's port, once it has stopped: nothing listens there any more.
        let closed = try await ProviderStandIn().serve { base in base }

        let results = try await AfterShipRegistration(baseURL: closed, http: ProviderHTTP(timeout: .seconds(2))).register([Self.job()], apiKey: "k")

        guard case .failed(let failure) = results.only else {
            Issue.record("expected a failure, got \(results)")
            return
        }
        #expect(!failure.permanent)
        #expect(failure.message.hasPrefix("aftership: no answer from the provider"))
    }
}

extension Array {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
