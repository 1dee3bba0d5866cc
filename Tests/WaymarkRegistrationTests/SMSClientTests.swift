import Foundation
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkStore

/// The Twilio-compatible SMS client against the same loopback stand-in the provider clients use:
/// the request a Messages API sees, and what each kind of answer means.
@Suite("SMS client")
struct SMSClientTests {
    @Test("WAYMARK_SMS_URL carries the account, the token, an optional path prefix and sender")
    func configuration() throws {
        let config = try SMSConfiguration(url: "https://AC123:s%3Acret@sms.example.com/gateway/?from=%2B15550001111")
        #expect(config.accountSID == "AC123" && config.authToken == "s:cret" && config.defaultFrom == "+15550001111")
        #expect(config.messagesURL == "https://sms.example.com/gateway/2010-04-01/Accounts/AC123/Messages.json")
        #expect(throws: SMSConfigurationError.self) { try SMSConfiguration(url: "https://sms.example.com") }
        #expect(throws: SMSConfigurationError.self) { try SMSConfiguration(url: "ftp://a:b@sms.example.com") }
        #expect(throws: SMSConfigurationError.self) { try SMSConfiguration(url: "not a url") }
    }

    @Test("A text is a form POST with Basic auth to the account's Messages resource")
    func sendsTheForm() async throws {
        let server = ProviderStandIn { _, _ in .init(status: .created, body: #"{"sid": "SM42", "status": "queued"}"#) }
        let result = try await server.serve { base in
            let url = base.replacingOccurrences(of: "http://", with: "http://AC123:tok3n@") + "/?from=%2B15550001111"
            return await TwilioSMSClient(configuration: try SMSConfiguration(url: url))
                .send(to: "+447700900123", from: nil, body: "Acme: out for delivery & arriving today ✓ https://t.example/x?src=sms")
        }
        #expect(result == .accepted(httpStatus: 201, messageID: "SM42"))
        let request = try #require(server.received.first)
        #expect(request.method == "POST")
        #expect(request.path == "/2010-04-01/Accounts/AC123/Messages.json")
        #expect(request.headers["authorization"] == "Basic " + Data("AC123:tok3n".utf8).base64EncodedString())
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        let form = Dictionary(uniqueKeysWithValues: String(decoding: request.body, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        })
        #expect(form["To"] == "+447700900123")
        #expect(form["From"] == "+15550001111")
        #expect(form["Body"] == "Acme: out for delivery & arriving today ✓ https://t.example/x?src=sms")
    }

    @Test("Answers: an opted-out number is permanent and suppressed, 429 waits as asked, 5xx retries, no sender fails clearly")
    func answers() async throws {
        let server = ProviderStandIn { _, index in
            switch index {
            case 0: .init(status: .badRequest, body: #"{"code": 21610, "message": "Attempt to send to unsubscribed recipient"}"#)
            case 1: .init(status: .tooManyRequests, headers: ["Retry-After": "30"], body: #"{"code": 20429, "message": "Too Many Requests"}"#)
            case 2: .init(status: .badRequest, body: #"{"code": 21602, "message": "Message body is required."}"#)
            default: .init(status: .serviceUnavailable, body: "down")
            }
        }
        let results = try await server.serve { base in
            let client = TwilioSMSClient(configuration: try SMSConfiguration(url: base.replacingOccurrences(of: "http://", with: "http://AC1:t@")))
            var results: [SMSSendResult] = []
            for _ in 0..<4 { results.append(await client.send(to: "+447700900123", from: "Acme", body: "hi")) }
            results.append(await client.send(to: "+447700900123", from: nil, body: "no sender"))
            return results
        }
        guard case .failed(let optedOut) = results[0], case .failed(let limited) = results[1], case .failed(let invalid) = results[2],
              case .failed(let down) = results[3], case .failed(let noSender) = results[4]
        else { Issue.record("every answer should be a failure: \(results)"); return }
        #expect(optedOut.permanent && optedOut.suppressRecipient && optedOut.error.contains("21610"))
        #expect(!limited.permanent && limited.retryAfter == 30 && limited.httpStatus == 429)
        #expect(invalid.permanent && !invalid.suppressRecipient)
        #expect(!down.permanent && down.httpStatus == 503)
        #expect(!noSender.permanent && noSender.error.contains("sender"))
        #expect(server.received.count == 4)
    }

    @Test("The channel waits out quiet hours, caps the length and keeps the link")
    func channel() async throws {
        struct Composer: MessageComposer {
            func email(for claimed: ClaimedDelivery) throws -> ComposedEmail { throw CancellationError() }
            func sms(for claimed: ClaimedDelivery) throws -> String {
                "Acme: " + String(repeating: "your parcel is nearly there ", count: 40) + "https://t.example/acme/t/abc?src=sms"
            }
        }
        let server = ProviderStandIn { _, _ in .init(status: .created, body: #"{"sid": "SM1"}"#) }
        // 2027-01-15 22:30 in Berlin, then 09:00 the next morning.
        let evening = Date(timeIntervalSince1970: 1_800_000_000 + 13.5 * 3600)
        let morning = Date(timeIntervalSince1970: 1_800_000_000 + 24 * 3600)
        let claimed = ClaimedDelivery.sms(to: "+4915112345678", timeZone: "Europe/Berlin")
        let (postponed, sent) = try await server.serve { base in
            let transport = TwilioSMSClient(configuration: try SMSConfiguration(url: base.replacingOccurrences(of: "http://", with: "http://AC1:t@") + "?from=Acme"))
            let atNight = await SMSChannel(composer: Composer(), transport: transport, now: { evening }).send(claimed)
            let inTheMorning = await SMSChannel(composer: Composer(), transport: transport, now: { morning }).send(claimed)
            return (atNight, inTheMorning)
        }
        #expect(postponed == .postponed(until: Date(timeIntervalSince1970: 1_800_000_000 + 23 * 3600)))
        #expect(sent == .delivered(httpStatus: 201))
        #expect(server.received.count == 1)
        let body = String(decoding: try #require(server.received.first).body, as: UTF8.self)
        let text = body.split(separator: "&").first { $0.hasPrefix("Body=") }.map { String($0.dropFirst(5)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" } ?? ""
        #expect(SMSSegments(text).count <= 3)
        #expect(text.hasSuffix(" https://t.example/acme/t/abc?src=sms"))
    }
}

extension ClaimedDelivery {
    /// A claimed text for a tenant in `timeZone` with the default quiet hours (21–8).
    static func sms(to phone: String, timeZone: String) -> ClaimedDelivery {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return ClaimedDelivery(
            delivery: Delivery(id: "msg_1", tenantID: 1, shipmentID: "shp_1", channel: .sms, recipient: phone,
                               triggerKey: "status:out_for_delivery", eventType: "shipment.status_changed", payload: "{}",
                               state: .sending, nextAttemptAt: now, createdAt: now, updatedAt: now),
            tenant: Tenant(id: 1, slug: "acme", name: "Acme", timeZone: timeZone, createdAt: now),
            settings: NotificationSettings(), endpoint: nil, shipment: nil, unsubscribeToken: "tok", recipientOptedOut: false)
    }
}
