import Foundation
import NIOCore
import Testing
@testable import WaymarkNotify

/// Against a real aiosmtpd server (Peers/smtp_peer.py), one per test.
@Suite(.enabled(if: SMTPPeer.isAvailable, "python3 with aiosmtpd is required (pip install aiosmtpd)"))
struct SMTPClientTests {
    private func message(subject: String = "Ihre Sendung 📦 ist unterwegs — größer als üblich",
                         fromName: String = "Bäckerei Müller") throws -> EmailMessage {
        EmailMessage(
            from: try Mailbox("shop@example.com", displayName: fromName),
            to: try Mailbox("buyer@example.org", displayName: "Zoë Käufer"),
            replyTo: try Mailbox("support@example.com"),
            subject: subject,
            textBody: "Hallo Zoë,\nIhr Paket 📦 ist unterwegs.\n= Ende =\n",
            htmlBody: "<p>Hallo Zoë,</p>\n<p>Ihr Paket 📦 ist <b>unterwegs</b>.</p>\n",
            extraHeaders: [("List-Unsubscribe", "<https://example.com/u/abc>"),
                           ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
        )
    }

    private func client(_ peer: SMTPPeer, _ adjust: (inout SMTPConfiguration) -> Void = { _ in }) -> SMTPClient {
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: peer.port, commandTimeout: .seconds(10))
        adjust(&configuration)
        return SMTPClient(configuration: configuration)
    }

    @Test func utf8MultipartArrivesIntact() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let sent = try message()

        let result = try await client(peer).send(sent)

        guard case .delivered(let reply) = result else { Issue.record("not delivered: \(result)"); return }
        #expect(reply.code == 250)
        let received = try #require(try peer.received().first)
        #expect(received.mail_from == "shop@example.com")
        #expect(received.rcpt_tos == ["buyer@example.org"])
        #expect(received.subject == sent.subject)
        #expect(received.from == "Bäckerei Müller <shop@example.com>")
        #expect(received.to == "Zoë Käufer <buyer@example.org>")
        #expect(received.text == "Hallo Zoë,\r\nIhr Paket 📦 ist unterwegs.\r\n= Ende =\r\n" || received.text == "Hallo Zoë,\nIhr Paket 📦 ist unterwegs.\n= Ende =\n")
        #expect(received.html?.contains("<p>Ihr Paket 📦 ist <b>unterwegs</b>.</p>") == true)
        #expect(received.header_names.contains("List-Unsubscribe"))
        #expect(received.header_names.contains("List-Unsubscribe-Post"))
        #expect(received.defects.isEmpty)
    }

    @Test func dotStuffingSurvivesTheTrip() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let raw = "Subject: dots\r\n\r\nfirst\r\n.\r\n..two dots\r\n.one dot\r\nlast\r\n"

        let result = try await client(peer).send(
            Array(raw.utf8), from: try Mailbox("shop@example.com"), to: try Mailbox("buyer@example.org")
        )

        #expect(result.isDelivered)
        let received = try #require(try peer.received().first)
        #expect(String(decoding: received.rawBytes, as: UTF8.self) == raw)
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func authenticates(mechanism: String) async throws {
        let peer = try await SMTPPeer(["--auth", mechanism])
        defer { peer.stop() }
        let user = SMTPPeer.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let password = SMTPPeer.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var configuration = try SMTPConfiguration(url: "smtp://\(user):\(password)@127.0.0.1:\(peer.port)")
        configuration.commandTimeout = .seconds(10)
        configuration.allowsCredentialsWithoutTLS = true

        let result = try await SMTPClient(configuration: configuration).send(try message())

        #expect(result.isDelivered)
        #expect(try peer.received().first?.authenticated == true)
    }

    @Test func wrongPasswordIsAPermanentAuthenticationFailure() async throws {
        let peer = try await SMTPPeer(["--auth", "PLAIN"])
        defer { peer.stop() }

        let result = try await client(peer) { 
            $0.username = SMTPPeer.user
            $0.password = "wrong"
            $0.allowsCredentialsWithoutTLS = true
        }.send(try message())

        guard case .permanentFailure(let reply, let stage) = result else { Issue.record("got \(result)"); return }
        #expect(reply.code == 535 && stage == .authentication)
        #expect(try peer.received().isEmpty)
    }

    @Test(.enabled(if: SMTPPeer.opensslAvailable, "openssl is required"))
    func upgradesWithSTARTTLS() async throws {
        let certificateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: certificateDirectory) }
        let (cert, key) = try SMTPPeer.makeCertificate(in: certificateDirectory)
        let peer = try await SMTPPeer(["--tls-cert", cert, "--tls-key", key])
        defer { peer.stop() }

        let result = try await client(peer) {
            $0.requireTLS = true
            $0.certificateVerification = .disabledForTesting
        }.send(try message())

        #expect(result.isDelivered)
        #expect(try peer.received().first?.tls == true)
    }

    @Test(.enabled(if: SMTPPeer.opensslAvailable, "openssl is required"))
    func startTLSVerifiesTheCertificateByDefault() async throws {
        let certificateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: certificateDirectory) }
        let (cert, key) = try SMTPPeer.makeCertificate(in: certificateDirectory)
        let peer = try await SMTPPeer(["--tls-cert", cert, "--tls-key", key])
        defer { peer.stop() }

        await #expect(throws: SMTPError.self) { try await client(peer).send(try message()) }
        let trusted = try await client(peer) { $0.host = "localhost"; $0.certificateVerification = .trustedCA(pemFile: cert) }
            .send(try message())
        #expect(trusted.isDelivered)
        #expect(try peer.received().count == 1)
    }

    @Test(.enabled(if: SMTPPeer.opensslAvailable, "openssl is required"))
    func speaksImplicitTLS() async throws {
        let certificateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: certificateDirectory) }
        let (cert, key) = try SMTPPeer.makeCertificate(in: certificateDirectory)
        let peer = try await SMTPPeer(["--tls-cert", cert, "--tls-key", key, "--implicit-tls"])
        defer { peer.stop() }
        var configuration = try SMTPConfiguration(
            url: "smtps://localhost:\(peer.port)", requireTLS: true, certificateVerification: .trustedCA(pemFile: cert)
        )
        configuration.commandTimeout = .seconds(10)

        let result = try await SMTPClient(configuration: configuration).send(try message())

        #expect(result.isDelivered)
        #expect(try peer.received().first?.tls == true)
    }

    @Test func credentialsAreNotSentInTheClearByDefault() async throws {
        let peer = try await SMTPPeer(["--auth", "PLAIN"])
        defer { peer.stop() }

        await #expect(throws: SMTPError.credentialsRequireTLS) {
            try await client(peer) { $0.username = SMTPPeer.user; $0.password = SMTPPeer.password }.send(try message())
        }
    }

    @Test func fallsBackToHELOWhenEHLOIsRefused() async throws {
        let peer = try await SMTPPeer(["--no-ehlo"])
        defer { peer.stop() }

        let result = try await client(peer).send(try message())

        #expect(result.isDelivered)
        #expect(try peer.received().first?.extended == false)
    }

    @Test func requireTLSRefusesAPlainServer() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }

        await #expect(throws: SMTPError.tlsRequiredButNotOffered) {
            try await client(peer) { $0.requireTLS = true }.send(try message())
        }
        #expect(try peer.received().isEmpty)
    }

    @Test func rcpt451IsATemporaryFailure() async throws {
        let peer = try await SMTPPeer(["--rcpt-reply", "451 4.3.0 try again later"])
        defer { peer.stop() }

        let result = try await client(peer).send(try message())

        #expect(result == .temporaryFailure(SMTPReply(code: 451, lines: ["4.3.0 try again later"]), stage: .recipient))
    }

    @Test func rcpt550IsAPermanentFailure() async throws {
        let peer = try await SMTPPeer(["--rcpt-reply", "550 5.1.1 no such user"])
        defer { peer.stop() }

        let result = try await client(peer).send(try message())

        #expect(result == .permanentFailure(SMTPReply(code: 550, lines: ["5.1.1 no such user"]), stage: .recipient))
    }

    @Test func data451IsATemporaryFailure() async throws {
        let peer = try await SMTPPeer(["--data-reply", "451 4.7.1 greylisted"])
        defer { peer.stop() }

        let result = try await client(peer).send(try message())

        #expect(result == .temporaryFailure(SMTPReply(code: 451, lines: ["4.7.1 greylisted"]), stage: .data))
    }

    @Test func headerInjectionAddsNoRecipientAndNoBcc() async throws {
        let peer = try await SMTPPeer()
        defer { peer.stop() }
        let evil = "\r\nBcc: evil@example.com"

        let result = try await client(peer).send(try message(subject: "Hello\(evil)", fromName: "Shop\(evil)"))

        #expect(result.isDelivered)
        let received = try #require(try peer.received().first)
        #expect(received.rcpt_tos == ["buyer@example.org"])
        #expect(received.bcc.isEmpty)
        #expect(!received.header_names.contains { $0.lowercased() == "bcc" })
        #expect(received.defects.isEmpty)
    }

    @Test func silentServerIsCutOffByTheTimeout() async throws {
        let peer = try await SMTPPeer(["--silent"])
        defer { peer.stop() }
        // The silent peer never answers: only the client's own timeout can end this call, and the
        // error names the reply it gave up on. (No wall-clock assertion: CI machines are slow.)
        await #expect(throws: SMTPError.timeout(waitingFor: "greeting")) {
            try await client(peer) { $0.commandTimeout = .milliseconds(500) }.send(try message())
        }
    }
}

extension SMTPDeliveryResult {
    var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }
}
