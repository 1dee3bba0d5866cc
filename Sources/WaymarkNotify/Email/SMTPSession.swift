import Foundation
import Logging
import NIOCore
import NIOSSL

/// One SMTP conversation on an open connection, step by step; a 4xx/5xx ends it with a result.
struct SMTPSession: Sendable {
    let channel: any Channel
    let reader: SMTPReplyReader
    let configuration: SMTPConfiguration
    let tlsContext: NIOSSLContext
    let logger: Logger

    /// A reply that ends the conversation early.
    private struct Refusal: Error {
        let result: SMTPDeliveryResult
    }

    func run(_ rendered: [UInt8], from: String, to: String) async throws -> SMTPDeliveryResult {
        do {
            try await expect(reply(waitingFor: "greeting"), 220, stage: .greeting)
            var encrypted = configuration.security == .implicitTLS
            var extensions = try await hello()
            if !encrypted, extensions.keys.contains("STARTTLS") {
                try await expect(command("STARTTLS"), 220, stage: .startTLS)
                try await startTLS()
                encrypted = true
                extensions = try await hello()
            }
            if configuration.requireTLS, !encrypted { throw SMTPError.tlsRequiredButNotOffered }
            if let username = configuration.username {
                guard encrypted || configuration.allowsCredentialsWithoutTLS else { throw SMTPError.credentialsRequireTLS }
                try await authenticate(username: username, password: configuration.password ?? "", offered: extensions["AUTH"] ?? "")
            }
            try await expect(command("MAIL FROM:<\(from)>"), 250, stage: .sender)
            try await expect(command("RCPT TO:<\(to)>"), 250, 251, stage: .recipient)
            try await expect(command("DATA"), 354, stage: .data)
            try await write(DotStuffing.dataSection(rendered))
            let accepted = try await expect(reply(waitingFor: "end of data"), 250, stage: .data)
            await quit()
            return .delivered(accepted)
        } catch let refusal as Refusal {
            await quit()
            return refusal.result
        }
    }

    /// EHLO, or HELO when EHLO is refused with 5xx; returns the extensions by upper-cased keyword.
    private func hello() async throws -> [String: String] {
        let ehlo = try await command("EHLO \(configuration.clientName)")
        if ehlo.code == 250 {
            var extensions: [String: String] = [:]
            for line in ehlo.lines.dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard let keyword = parts.first else { continue }
                extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]).uppercased() : ""
            }
            return extensions
        }
        guard (500...599).contains(ehlo.code) else { try refuse(ehlo, stage: .hello) }
        try await expect(command("HELO \(configuration.clientName)"), 250, stage: .hello)
        return [:]
    }

    private func startTLS() async throws {
        reader.discardBuffered()
        let tlsContext = tlsContext
        let serverName = SMTPClient.serverName(for: configuration.host)
        let channel = channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tlsContext, serverHostname: serverName), position: .first
            )
        }.get()
    }

    private func authenticate(username: String, password: String, offered: String) async throws {
        let mechanisms = offered.split(separator: " ").map(String.init)
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await expect(command("AUTH PLAIN \(token)", loggedAs: "AUTH PLAIN ***"), 235, stage: .authentication)
        } else if mechanisms.contains("LOGIN") {
            try await expect(command("AUTH LOGIN"), 334, stage: .authentication)
            try await expect(command(Data(username.utf8).base64EncodedString(), loggedAs: "***"), 334, stage: .authentication)
            try await expect(command(Data(password.utf8).base64EncodedString(), loggedAs: "***"), 235, stage: .authentication)
        } else {
            throw SMTPError.noSupportedAuthMechanism(offered: offered)
        }
    }

    private func quit() async {
        guard channel.isActive else { return }
        _ = try? await command("QUIT")
    }

    // MARK: - Wire

    private func command(_ line: String, loggedAs logged: String? = nil) async throws -> SMTPReply {
        logger.trace("SMTP >", metadata: ["command": "\(logged ?? line)"])
        try await write(Array((line + "\r\n").utf8))
        return try await reply(waitingFor: logged ?? line)
    }

    private func write(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            throw SMTPError.transport("write failed: \(error)")
        }
    }

    private func reply(waitingFor step: String) async throws -> SMTPReply {
        let reply = try await reader.nextReply(on: channel, timeout: configuration.commandTimeout, waitingFor: step)
        logger.trace("SMTP <", metadata: ["reply": "\(reply)"])
        return reply
    }

    /// Returns the reply when its code is one of `codes`; a 4xx/5xx ends the conversation with a
    /// delivery result, anything else is a protocol error.
    @discardableResult
    private func expect(_ reply: SMTPReply, _ codes: Int..., stage: SMTPStage) throws -> SMTPReply {
        if codes.contains(reply.code) { return reply }
        try refuse(reply, stage: stage)
    }

    private func refuse(_ reply: SMTPReply, stage: SMTPStage) throws -> Never {
        switch reply.code {
        case 400...499: throw Refusal(result: .temporaryFailure(reply, stage: stage))
        case 500...599: throw Refusal(result: .permanentFailure(reply, stage: stage))
        default: throw SMTPError.unexpectedReply(reply, stage: stage)
        }
    }
}
