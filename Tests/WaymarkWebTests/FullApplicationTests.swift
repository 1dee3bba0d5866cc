import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkSigning
@testable import WaymarkWeb

/// The whole running system, built by `buildApplication` exactly as `waymark serve` builds it,
/// with the outside world replaced: a provider's webhook comes in over HTTP and leaves as a
/// signed merchant webhook (to a real receiver on loopback) and an email (to a recording
/// transport), in-process.
@Suite struct FullApplicationTests {
    /// Mail handed to the transport, as the SMTP relay would receive it.
    final class MailRecorder: MailTransport {
        let messages = Mutex<[(to: String, text: String)]>([])

        func deliver(_ rendered: [UInt8], from: Mailbox, to: Mailbox, deliveryID: String) async -> SendOutcome {
            messages.withLock { $0.append((to.address, String(decoding: rendered, as: UTF8.self))) }
            return .delivered(reply: "250 recorded")
        }
    }

    /// A merchant's endpoint: records each request with its headers.
    final class Receiver: Sendable {
        let requests = Mutex<[(headers: HTTPFields, body: [UInt8])]>([])

        func serve<T: Sendable>(_ body: @Sendable (_ port: Int) async throws -> T) async throws -> T {
            let router = Router()
            router.post("hook") { request, _ -> HTTPResponse.Status in
                let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
                self.requests.withLock { $0.append((request.headers, bytes)) }
                return .noContent
            }
            return try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
                try await body(try #require(client.port))
            }
        }
    }

    @Test("A provider's webhook becomes a verified merchant webhook and an email to the shopper")
    func providerWebhookToMerchantWebhookAndEmail() async throws {
        let loopback = try CIDR(parsing: "127.0.0.1/32")
        let fixture = try await Fixture.make { config in
            config.outboundPolicy = OutboundPolicy(allowedRanges: [loopback])
            config.runsWorkers = true
        }
        _ = try await fixture.database.setProviderAccount(
            tenantID: fixture.acme.tenant.id, provider: "aftership", secret: ProviderHooksTests.aftershipSecret, apiKey: nil, register: nil)
        let mail = MailRecorder()
        let receiver = Receiver()
        try await receiver.serve { port in
            let endpoint = try await fixture.database.createWebhookEndpoint(
                tenantID: fixture.acme.tenant.id, url: "http://127.0.0.1:\(port)/hook", eventTypes: ["shipment.status_changed"],
                secret: StandardWebhooks.generateSecret(), now: Fixture.now)
            let outside = OutsideServices(
                mail: EmailChannel.Setup(transport: mail, sender: try Mailbox("notifications@track.waymark.test")),
                registrationClients: [], now: { Fixture.now })
            let app = try await buildApplication(config: fixture.config, database: fixture.database, outside: outside, logger: fixture.logs.logger())
            try await app.test(.live) { client in
                let (body, headers) = ProviderHooksTests().aftership()
                try await client.execute(uri: "/hooks/aftership/acme", method: .post, headers: headers, body: body) { response in
                    #expect(response.status == .ok)
                }
                // The dispatcher runs as one of the app's services; wait for both messages.
                for _ in 0..<200 where receiver.requests.withLock(\.count) == 0 || mail.messages.withLock(\.count) == 0 {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let firstHook = receiver.requests.withLock { $0.first }
            let (hookHeaders, hookBody) = try #require(firstHook)
            let id = try #require(hookHeaders[HTTPField.Name("webhook-id")!])
            let timestamp = try #require(hookHeaders[HTTPField.Name("webhook-timestamp")!].flatMap { Int64($0) })
            let signature = try #require(hookHeaders[HTTPField.Name("webhook-signature")!])
            #expect(throws: Never.self) {
                try StandardWebhooks(secret: endpoint.secret).verifySignature(signature, id: id, timestamp: timestamp, body: hookBody)
            }
            let event = String(decoding: hookBody, as: UTF8.self)
            #expect(event.contains("shipment.status_changed") && event.contains("delivered") && event.contains("1Z999AA10123456784"), "\(event)")

            let firstMail = mail.messages.withLock { $0.first }
            let email = try #require(firstMail)
            #expect(email.to == "jane@example.com")
            #expect(email.text.contains("/acme/t/\(fixture.acmeShipment.token)"), "the email links to the tracking page")
        }
    }
}
