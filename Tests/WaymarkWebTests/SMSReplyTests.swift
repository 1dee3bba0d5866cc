import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkStore
@testable import WaymarkWeb

/// `POST /hooks/sms/{tenant}`: a shopper's STOP and START, as a Twilio-compatible provider
/// forwards them, signed with the account's auth token.
@Suite("Inbound SMS replies")
struct SMSReplyTests {
    static let authToken = "12345678901234567890123456789012"
    static let shopper = "+14155550123"

    func fixture() async throws -> Fixture {
        try await Fixture.make { $0.sms = SMSConfiguration(baseURL: "https://api.twilio.test", accountSID: "AC1", authToken: Self.authToken) }
    }

    func post(_ client: some TestClientProtocol, tenant: String = "acme", body text: String, from: String = shopper,
              signature: String? = nil) async throws -> TestResponse {
        let fields = [("From", from), ("To", "+15550001111"), ("Body", text), ("MessageSid", "SM1")]
        let form = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let url = "https://track.waymark.test/hooks/sms/\(tenant)"
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[HTTPField.Name("X-Twilio-Signature")!] = signature ?? SMSReplyController.signature(url: url, fields: fields, authToken: Self.authToken)
        return try await client.execute(uri: "/hooks/sms/\(tenant)", method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    @Test("The signature of Twilio's documented example is the one Twilio's own library computes")
    func signatureMatchesTwilioExample() {
        // The example of Twilio's "Validating requests" page; the expected value was computed with
        // the `twilio` PyPI package's RequestValidator.
        let fields = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")]
        #expect(SMSReplyController.signature(url: "https://mycompany.com/myapp.php?foo=1&bar=2", fields: fields, authToken: "12345")
                == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    @Test("STOP suppresses the number and confirms once; START lifts it and confirms once")
    func stopAndStart() async throws {
        let fixture = try await fixture()
        let tenantID = fixture.acme.tenant.id
        try await fixture.app().test(.router) { client in
            let stop = try await post(client, body: " stop ")
            #expect(stop.status == .ok)
            #expect(stop.headers[.contentType]?.hasPrefix("text/xml") == true)
            #expect(stop.text.contains("<Message>You will get no more texts from Acme Outfitters."))
            #expect(try await fixture.database.isSuppressed(tenantID: tenantID, channel: .sms, address: Self.shopper))

            let again = try await post(client, body: "UNSUBSCRIBE")
            #expect(again.status == .ok && !again.text.contains("<Message>"))

            let start = try await post(client, body: "Start")
            #expect(start.text.contains("<Message>Texts from Acme Outfitters are on again."))
            #expect(try await !fixture.database.isSuppressed(tenantID: tenantID, channel: .sms, address: Self.shopper))
            #expect(try await !post(client, body: "UNSTOP").text.contains("<Message>"))

            let chatter = try await post(client, body: "stop sending me the wrong parcel")
            #expect(chatter.status == .ok && !chatter.text.contains("<Message>"))
            #expect(try await !fixture.database.isSuppressed(tenantID: tenantID, channel: .sms, address: Self.shopper))
        }
    }

    @Test("Every opt-out word works, and a stopped number gets no text for the next status")
    func optOutWordsStopTexts() async throws {
        let fixture = try await fixture()
        try await fixture.app().test(.router) { client in
            for (index, word) in ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"].enumerated() {
                let number = "+1415555100\(index)"
                _ = try await post(client, body: word, from: number)
                #expect(try await fixture.database.isSuppressed(tenantID: fixture.acme.tenant.id, channel: .sms, address: number), "\(word)")
            }
            _ = try await post(client, body: "STOP")
        }
        _ = try await fixture.database.recordCheckpoints(
            tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id,
            events: [CheckpointEvent(occurredAt: Fixture.now, status: .delivered, message: "Delivered", source: "test")], now: Fixture.now)
        let planned = try await fixture.database.deliveries(tenantID: fixture.acme.tenant.id, shipmentID: fixture.acmeShipment.id)
        #expect(planned.contains { $0.channel == .email && $0.triggerKey == "status:delivered" })
        #expect(!planned.contains { $0.channel == .sms && $0.triggerKey == "status:delivered" })
    }

    @Test("A bad or missing signature is 401 and changes nothing; unknown tenant 404; no SMS provider 404")
    func refusals() async throws {
        let fixture = try await fixture()
        try await fixture.app().test(.router) { client in
            #expect(try await post(client, body: "STOP", signature: "AAAA").status == .unauthorized)
            let unsigned = try await client.execute(
                uri: "/hooks/sms/acme", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "From=%2B14155550123&Body=STOP"))
            #expect(unsigned.status == .unauthorized)
            #expect(try await !fixture.database.isSuppressed(tenantID: fixture.acme.tenant.id, channel: .sms, address: Self.shopper))
            #expect(try await post(client, tenant: "nobody", body: "STOP").status == .notFound)
        }
        let off = try await Fixture.make()
        try await off.app().test(.router) { client in
            let response = try await post(client, body: "STOP")
            #expect(response.status == .notFound)
            #expect(response.text.contains("WAYMARK_SMS_URL"))
        }
    }
}
