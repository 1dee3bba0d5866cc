import Foundation
import Testing
import WaymarkCore
@testable import WaymarkNotify
import WaymarkStore
import WaymarkSigning

/// The merchant-webhook channel against a real receiver on 127.0.0.1, driven through the
/// dispatcher with an injected clock.
@Suite("Webhook channel")
struct WebhookChannelTests {
    @Test("A delivery is POSTed as stored, signed by Standard Webhooks, and verifies with our verifier")
    func signedDelivery() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("signed")
        let receiver = WebhookReceiver()
        try await receiver.serve { port in
            let endpoint = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hooks/waymark?x=1")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())

            #expect(try await dispatcher.dispatchDue() == 1)

            let request = try #require(receiver.received.first)
            #expect(receiver.received.count == 1)
            #expect(request.path == "/hooks/waymark")
            #expect(request.body == Array(delivery.payload.utf8))
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["user-agent"] == "Waymark-Webhooks/1")
            #expect(request.headers["webhook-id"] == delivery.id)
            #expect(request.headers["webhook-timestamp"] == String(Int64(scenario.clock.now.timeIntervalSince1970)))
            let signature = try #require(request.headers["webhook-signature"])
            #expect(signature.split(separator: " ").count == 1)
            try StandardWebhooks(secret: endpoint.secret).verifySignature(
                signature, id: delivery.id, timestamp: Int64(scenario.clock.now.timeIntervalSince1970), body: request.body)
            // One flipped byte and it no longer verifies.
            var flipped = request.body
            flipped[2] ^= 0x01
            #expect(throws: StandardWebhooks.SignatureMismatch.noMatch) {
                try StandardWebhooks(secret: endpoint.secret).verifySignature(
                    signature, id: delivery.id, timestamp: Int64(scenario.clock.now.timeIntervalSince1970), body: flipped)
            }

            let after = try await scenario.delivery(delivery)
            #expect(after.state == .delivered)
            let attempts = try await scenario.attempts(delivery)
            #expect(attempts.map(\.outcome) == [.delivered])
            #expect(attempts.first?.httpStatus == 204)
        }
    }

    @Test("Signing matches the Standard Webhooks known-answer vector")
    func knownAnswer() throws {
        let signer = try StandardWebhooks(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("During a secret rotation each message carries two signatures, old and new, for 24 hours")
    func rotation() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("rotating")
        let receiver = WebhookReceiver()
        try await receiver.serve { port in
            let old = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let newSecret = StandardWebhooks.generateSecret()
            _ = try await scenario.database.rotateWebhookSecret(tenantID: tenant.id, id: old.id, newSecret: newSecret, now: scenario.clock.now)
            let first = try await scenario.shipmentDelivery(tenant, number: 1)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())
            try await dispatcher.dispatchDue()

            let request = try #require(receiver.received.first)
            let entries = try #require(request.headers["webhook-signature"]).split(separator: " ").map(String.init)
            #expect(entries.count == 2)
            let timestamp = Int64(scenario.clock.now.timeIntervalSince1970)
            try StandardWebhooks(secret: newSecret).verifySignature(entries[0], id: first.id, timestamp: timestamp, body: request.body)
            try StandardWebhooks(secret: old.secret).verifySignature(entries[1], id: first.id, timestamp: timestamp, body: request.body)

            // Past the grace period only the new secret signs.
            scenario.clock.advance(by: WebhookEndpoint.rotationGracePeriod + 1)
            let second = try await scenario.shipmentDelivery(tenant, number: 2)
            try await dispatcher.dispatchDue()
            let later = try #require(receiver.received.last)
            #expect(later.headers["webhook-id"] == second.id)
            let header = try #require(later.headers["webhook-signature"])
            #expect(!header.contains(" "))
            try StandardWebhooks(secret: newSecret).verifySignature(
                header, id: second.id, timestamp: Int64(scenario.clock.now.timeIntervalSince1970), body: later.body)
        }
    }

    @Test("A failed attempt is retried under the same webhook-id, then delivered")
    func stableIDAcrossRetry() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("retrying")
        let receiver = WebhookReceiver { _, number in .init(status: number == 1 ? 503 : 200) }
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())

            try await dispatcher.dispatchDue()
            let waiting = try await scenario.delivery(delivery)
            #expect(waiting.state == .pending)
            #expect(waiting.attempts == 1)
            // Not due yet: nothing is claimed before the schedule's time.
            #expect(try await dispatcher.dispatchDue() == 0)
            scenario.clock.set(waiting.nextAttemptAt)
            #expect(try await dispatcher.dispatchDue() == 1)

            #expect(receiver.received.map { $0.headers["webhook-id"] } == [delivery.id, delivery.id])
            #expect(try await scenario.delivery(delivery).state == .delivered)
            let attempts = try await scenario.attempts(delivery)
            #expect(attempts.map(\.outcome) == [.retry, .delivered])
            #expect(attempts.map(\.httpStatus) == [503, 200])
        }
    }

    @Test("A receiver that answers 500 forever gets the whole schedule, then the delivery fails")
    func fullSchedule() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("failing")
        let receiver = WebhookReceiver { _, _ in .init(status: 500, body: "boom") }
        try await receiver.serve { port in
            let endpoint = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())
            let schedule = RetryPolicy.standardWebhooks

            var previous = scenario.clock.now
            for _ in 0..<(schedule.maximumAttempts + 2) {
                try await dispatcher.dispatchDue()
                let current = try await scenario.delivery(delivery)
                guard current.state == .pending else { break }
                #expect(current.nextAttemptAt > previous)
                previous = current.nextAttemptAt
                scenario.clock.set(current.nextAttemptAt)
            }

            let final = try await scenario.delivery(delivery)
            #expect(final.state == .failed)
            #expect(final.attempts == schedule.maximumAttempts)
            let attempts = try await scenario.attempts(delivery)
            #expect(attempts.count == schedule.maximumAttempts)
            #expect(attempts.dropLast().allSatisfy { $0.outcome == .retry })
            #expect(attempts.last?.outcome == .failed)
            #expect(attempts.allSatisfy { $0.httpStatus == 500 && $0.error == "HTTP 500: boom" })
            #expect(receiver.received.count == schedule.maximumAttempts)
            // About three days of failures: failing, not yet disabled.
            let after = try #require(try await scenario.endpointNow(endpoint))
            #expect(after.failingSince == outboxReferenceDate)
            #expect(after.disabledAt == nil)
        }
    }

    @Test("A redirect is a failed attempt and its target is never requested")
    func redirectNotFollowed() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("redirecting")
        let receiver = WebhookReceiver { request, _ in
            request.path == "/hook" ? .init(status: 302, headers: ["Location": "/target"]) : .init(status: 200)
        }
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            try await scenario.dispatcher(channel: try scenario.channel()).dispatchDue()

            #expect(receiver.received.map(\.path) == ["/hook"])
            let after = try await scenario.delivery(delivery)
            #expect(after.state == .pending)
            let attempt = try #require(try await scenario.attempts(delivery).first)
            #expect(attempt.outcome == .retry)
            #expect(attempt.httpStatus == 302)
            #expect(attempt.error?.contains("redirects are not followed") == true)
        }
    }

    @Test("410 Gone fails the delivery and disables the endpoint with a reason; later ones are skipped")
    func goneDisables() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("gone")
        let receiver = WebhookReceiver { _, _ in .init(status: 410) }
        try await receiver.serve { port in
            let endpoint = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant, number: 1)
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())
            try await dispatcher.dispatchDue()

            #expect(try await scenario.delivery(delivery).state == .failed)
            let disabled = try #require(try await scenario.endpointNow(endpoint))
            #expect(disabled.disabledAt != nil)
            #expect(disabled.disabledReason?.contains("410") == true)
            #expect(try await scenario.attempts(delivery).map(\.outcome) == [.failed])
        }
    }

    @Test("Retry-After: 120 puts the next attempt at least 120 s out")
    func retryAfterSeconds() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("throttled")
        let receiver = WebhookReceiver { _, _ in .init(status: 429, headers: ["Retry-After": "120"]) }
        try await receiver.serve { port in
            _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            try await scenario.dispatcher(channel: try scenario.channel()).dispatchDue()

            let after = try await scenario.delivery(delivery)
            #expect(after.state == .pending)
            #expect(after.nextAttemptAt >= outboxReferenceDate.addingTimeInterval(120))
        }
    }

    @Test("Retry-After is read as seconds or as an HTTP-date; anything else is ignored")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 784_111_717)  // Sun, 06 Nov 1994 08:48:37 GMT
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 60)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:40:00 GMT", now: now) == 0)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
    }

    @Test("An endpoint failing for 5 days is disabled; its next delivery is skipped")
    func fiveDaysDisable() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("fivedays")
        let receiver = WebhookReceiver { _, _ in .init(status: 502) }
        try await receiver.serve { port in
            let endpoint = try await scenario.endpoint(tenant, url: "http://127.0.0.1:\(port)/hook")
            let dispatcher = scenario.dispatcher(channel: try scenario.channel())
            try await scenario.shipmentDelivery(tenant, number: 1)
            try await dispatcher.dispatchDue()
            #expect(try await scenario.endpointNow(endpoint)?.disabledAt == nil)

            scenario.clock.advance(by: WebhookEndpoint.disableAfterFailingFor)
            try await scenario.shipmentDelivery(tenant, number: 2)
            try await dispatcher.dispatchDue()
            let disabled = try #require(try await scenario.endpointNow(endpoint))
            #expect(disabled.disabledAt == scenario.clock.now)
            #expect(disabled.disabledReason?.contains("5 days") == true)

            // The retries now meet a disabled endpoint: skipped, not sent.
            let waiting = try await scenario.database.deliveries(tenantID: tenant.id).filter { $0.state == .pending }
            #expect(!waiting.isEmpty)
            scenario.clock.set(try #require(waiting.map(\.nextAttemptAt).max()))
            let sentBefore = receiver.received.count
            try await dispatcher.dispatchDue()
            #expect(receiver.received.count == sentBefore)
            for delivery in waiting {
                let skipped = try await scenario.delivery(delivery)
                #expect(skipped.state == .skipped)
                #expect(skipped.lastError?.contains("disabled") == true)
            }
        }
    }

    @Test("SSRF: a host resolving to a refused address is refused at send time", arguments: ["127.0.0.1", "10.1.2.3", "169.254.169.254"])
    func refusedAtSendTime(address: String) async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("ssrf")
        _ = try await scenario.endpoint(tenant, url: "http://hooks.merchant.example:8080/hook")
        let delivery = try await scenario.shipmentDelivery(tenant)
        let resolver = FakeResolver(answers: ["hooks.merchant.example": [address]])
        let dispatcher = scenario.dispatcher(channel: try scenario.channel(policy: "", resolver: resolver))
        try await dispatcher.dispatchDue()

        let after = try await scenario.delivery(delivery)
        #expect(after.state == .failed)
        #expect(after.lastError?.hasPrefix("refused to send to this URL") == true)
        #expect(try await scenario.attempts(delivery).map(\.outcome) == [.failed])
    }

    @Test("SSRF: with 127.0.0.1 allowed, the request goes to the vetted address without a second lookup")
    func allowedAndPinned() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("pinned")
        let receiver = WebhookReceiver()
        try await receiver.serve { port in
            // The name exists only in the test resolver: the request can arrive only if the
            // client connected to the address that resolver vetted.
            _ = try await scenario.endpoint(tenant, url: "http://Hooks.Merchant.Example:\(port)/hook")
            let delivery = try await scenario.shipmentDelivery(tenant)
            let resolver = FakeResolver(answers: ["hooks.merchant.example": ["127.0.0.1"]])
            try await scenario.dispatcher(channel: try scenario.channel(policy: "127.0.0.1/32", resolver: resolver)).dispatchDue()

            #expect(try await scenario.delivery(delivery).state == .delivered)
            let request = try #require(receiver.received.first)
            #expect(request.headers["host"] == "hooks.merchant.example:\(port)")
        }
    }

    @Test("A deleted endpoint's delivery is skipped")
    func missingEndpoint() async throws {
        let scenario = try OutboxScenario()
        let tenant = try await scenario.tenant("deleted")
        _ = try await scenario.endpoint(tenant, url: "http://127.0.0.1:9/hook")
        try await scenario.shipmentDelivery(tenant)
        var claimed = try #require(try await scenario.database.claimDueDeliveries(owner: "test", now: scenario.clock.now, limit: 1).first)
        claimed.endpoint = nil
        let outcome = await (try scenario.channel()).send(claimed)
        #expect(outcome == .skipped(reason: "the webhook endpoint was deleted"))
    }
}
