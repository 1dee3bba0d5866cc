import Foundation
import Testing
import WaymarkCore
@testable import WaymarkNotify
@testable import WaymarkStore

/// Words fixed in advance: these tests are about the envelope, headers and transports.
struct FixedComposer: MessageComposer {
    var subject = "お荷物は配達中です – ご注文 ACME-1001"
    var unsubscribeURL: String? = "https://track.waymark.test/acme/unsubscribe/unsub0123456789abcdef"

    func email(for claimed: ClaimedDelivery) throws -> ComposedEmail {
        ComposedEmail(
            subject: subject, html: "<p>Your package is <b>out for delivery</b>.</p>\n",
            text: "Your package is out for delivery.\nhttps://track.waymark.test/acme/t/TOKEN?src=email\n", unsubscribeURL: unsubscribeURL)
    }

    func sms(for claimed: ClaimedDelivery) throws -> String { "unused" }
}

enum ChannelFixture {
    static let now = Date(timeIntervalSince1970: 1_795_780_800)

    static func claimed(id: String = "msg_abc123", recipient: String = "jane@example.org", optedOut: Bool = false,
                        settings: NotificationSettings = NotificationSettings(senderName: "Acme Outfitters", senderEmail: "shop@acme.example",
                                                                             replyTo: "help@acme.example")) -> ClaimedDelivery {
        let delivery = Delivery(
            id: id, tenantID: 1, shipmentID: "shp_1", channel: .email, recipient: recipient, triggerKey: "status:out_for_delivery",
            eventType: "shipment.status_changed", payload: "{}", nextAttemptAt: now, createdAt: now, updatedAt: now)
        return ClaimedDelivery(
            delivery: delivery, tenant: Tenant(id: 1, slug: "acme", name: "Acme", createdAt: now), settings: settings, endpoint: nil,
            shipment: nil, unsubscribeToken: "unsub0123456789abcdef", recipientOptedOut: optedOut)
    }

    static func channel(_ transport: any MailTransport, composer: any MessageComposer = FixedComposer()) throws -> EmailChannel {
        EmailChannel(composer: composer, transport: transport, defaultSender: try Mailbox("notifications@track.waymark.test"), now: { now })
    }

    /// The header fields of a raw message, unfolded, by lower-cased name.
    static func headers(_ raw: [UInt8]) -> [String: String] {
        let text = String(decoding: raw, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
        var fields: [String: String] = [:]
        var last: String?
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let last {
                fields[last, default: ""] += line
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = name
            }
        }
        return fields
    }
}

@Suite(.enabled(if: SMTPPeer.isAvailable, "python3 with aiosmtpd is required (pip install aiosmtpd)"))
struct EmailChannelSMTPTests {
    private func smtp(_ peer: SMTPPeer) -> SMTPMailTransport {
        SMTPMailTransport(client: SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: peer.port, commandTimeout: .seconds(10))))
    }

    @Test func deliversAMultipartMessageWithUnsubscribeHeadersAndAStableMessageID() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let channel = try ChannelFixture.channel(smtp(peer))

        let first = await channel.send(ChannelFixture.claimed())
        let again = await channel.send(ChannelFixture.claimed())

        guard case .delivered(_, let reply) = first else { Issue.record("not delivered: \(first)"); return }
        #expect(reply?.hasPrefix("250") == true)
        #expect(again == first)
        let received = try peer.received()
        try #require(received.count == 2)
        let message = received[0]
        #expect(message.mail_from == "shop@acme.example")
        #expect(message.rcpt_tos == ["jane@example.org"])
        #expect(message.subject == FixedComposer().subject)
        #expect(message.from == "Acme Outfitters <shop@acme.example>")
        #expect(message.text?.contains("?src=email") == true)
        #expect(message.html?.contains("<b>out for delivery</b>") == true)
        #expect(message.defects.isEmpty)
        let headers = ChannelFixture.headers(message.rawBytes)
        #expect(headers["subject"]?.contains("=?UTF-8?B?") == true)
        #expect(headers["content-type"]?.hasPrefix("multipart/alternative;") == true)
        #expect(headers["reply-to"] == "<help@acme.example>")
        #expect(headers["list-unsubscribe"] == "<https://track.waymark.test/acme/unsubscribe/unsub0123456789abcdef>, "
            + "<mailto:shop@acme.example?subject=unsubscribe%20unsub0123456789abcdef>")
        #expect(headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
        #expect(headers["message-id"] == "<msg_abc123@acme.example>")
        #expect(ChannelFixture.headers(received[1].rawBytes)["message-id"] == "<msg_abc123@acme.example>")
        #expect(headers["date"] == "Fri, 27 Nov 2026 12:00:00 +0000")
    }

    @Test func aTemporaryRefusalIsRetriedWithTheReply() async throws {
        let peer = try await SMTPPeer(["--rcpt-reply", "451 4.3.0 try again later"])
        defer { peer.stop() }

        let outcome = try await ChannelFixture.channel(smtp(peer)).send(ChannelFixture.claimed())

        guard case .failed(let failure) = outcome else { Issue.record("expected a failure: \(outcome)"); return }
        #expect(!failure.permanent)
        #expect(!failure.suppressRecipient)
        #expect(failure.reply?.contains("451") == true)
    }

    @Test func aPermanentRefusalSuppressesTheRecipient() async throws {
        let peer = try await SMTPPeer(["--rcpt-reply", "550 5.1.1 no such user"])
        defer { peer.stop() }

        let outcome = try await ChannelFixture.channel(smtp(peer)).send(ChannelFixture.claimed())

        guard case .failed(let failure) = outcome else { Issue.record("expected a failure: \(outcome)"); return }
        #expect(failure.permanent)
        #expect(failure.suppressRecipient)
        #expect(failure.reply?.contains("550") == true)
    }

    @Test func anUnreachableRelayIsATemporaryFailure() async throws {
        let peer = try await SMTPPeer()
        let transport = smtp(peer)
        peer.stop()  // nothing listens on the port any more

        let outcome = try await ChannelFixture.channel(transport).send(ChannelFixture.claimed())

        guard case .failed(let failure) = outcome else { Issue.record("expected a failure: \(outcome)"); return }
        #expect(!failure.permanent)
        #expect(!failure.suppressRecipient)
    }
}

@Suite struct EmailChannelTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("outbox-mail-\(UUID().uuidString)")
    }

    @Test(.enabled(if: SMTPPeer.isAvailable, "python3 is required to parse the file independently"))
    func writesAParseableEmlFileNamedByTheDelivery() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let channel = try ChannelFixture.channel(MailFolderTransport(directory: directory))

        let outcome = await channel.send(ChannelFixture.claimed(id: "msg_file1"))

        let file = directory.appendingPathComponent("msg_file1.eml")
        #expect(outcome == .delivered(reply: "written to \(file.path)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["msg_file1.eml"])
        let parsed = try python(["-c", """
            import email, email.policy, sys
            m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
            print(m.get_content_type()); print(m['subject']); print(m.get_body(('html',)).get_content().strip())
            print(len(m.defects))
            """, file.path])
        #expect(parsed == "multipart/alternative\n\(FixedComposer().subject)\n<p>Your package is <b>out for delivery</b>.</p>\n0\n")
    }

    @Test func anOptedOutRecipientIsSkippedWithoutSending() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let outcome = try await ChannelFixture.channel(MailFolderTransport(directory: directory)).send(ChannelFixture.claimed(optedOut: true))

        guard case .skipped = outcome else { Issue.record("expected skipped: \(outcome)"); return }
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test func theServerSenderIsUsedWhenTheTenantSetNoneAndNoUnsubscribeWithoutALink() async throws {
        let channel = try ChannelFixture.channel(MailFolderTransport(directory: temporaryDirectory()),
                                                 composer: FixedComposer(subject: "Hi", unsubscribeURL: nil))

        let message = try await channel.build(ChannelFixture.claimed(settings: NotificationSettings()))

        #expect(message.from == (try Mailbox("notifications@track.waymark.test", displayName: "Acme")))
        #expect(message.replyTo == nil)
        #expect(message.extraHeaders.isEmpty)
    }

    @Test func anInvalidRecipientFailsForGood() async throws {
        let outcome = try await ChannelFixture.channel(MailFolderTransport(directory: temporaryDirectory()))
            .send(ChannelFixture.claimed(recipient: "jane@example.org>\r\nBcc: x@evil.test"))

        guard case .failed(let failure) = outcome else { Issue.record("expected a failure: \(outcome)"); return }
        #expect(failure.permanent)
    }

    @Test func environmentChoosesTheTransportAndChecksTheSettings() throws {
        let links = PublicLinks(baseURL: "https://track.waymark.test")
        let folder = try EmailChannel.fromEnvironment(["WAYMARK_MAIL_DIR": "/tmp/mails"], composer: FixedComposer(), links: links)
        #expect((folder.transport as? MailFolderTransport)?.directory.path == "/tmp/mails")
        #expect(folder.defaultSender.address == "notifications@track.waymark.test")

        let relay = try EmailChannel.fromEnvironment(
            ["WAYMARK_SMTP_URL": "smtps://user:pw@mail.example.com", "WAYMARK_MAIL_FROM": "updates@shop.example"], composer: FixedComposer(), links: links)
        #expect((relay.transport as? SMTPMailTransport)?.client.configuration.port == 465)
        #expect(relay.defaultSender.address == "updates@shop.example")

        #expect(throws: EmailChannel.ConfigurationError.self) {
            try EmailChannel.fromEnvironment(["WAYMARK_SMTP_URL": "http://user:hunter2@mail.example.com"], composer: FixedComposer(), links: links)
        }
        do {
            _ = try EmailChannel.fromEnvironment(["WAYMARK_SMTP_URL": "http://user:hunter2@mail.example.com"], composer: FixedComposer(), links: links)
        } catch {
            #expect("\(error)".contains("WAYMARK_SMTP_URL"))
            #expect(!"\(error)".contains("hunter2"))
        }
        #expect(throws: EmailChannel.ConfigurationError.self) {
            try EmailChannel.fromEnvironment(["WAYMARK_MAIL_FROM": "Shop <shop@example.com>"], composer: FixedComposer(), links: links)
        }
    }

    private func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
