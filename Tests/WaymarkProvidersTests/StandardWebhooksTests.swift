import Foundation
import Testing
import WaymarkNotify
@testable import WaymarkProviders
import WaymarkSigning

/// A known-answer vector from `shared/testdata/standard_webhooks_vectors.md`.
struct StandardWebhooksVector: CustomStringConvertible {
    var name: String
    var secret: String
    var id: String
    var timestamp: Int64
    var payload: String
    var signature: String

    var description: String { name }

    static let file = "standard_webhooks_vectors.md"

    /// Each `## Vector` section's `| field | `value` |` rows.
    static func all() throws -> [StandardWebhooksVector] {
        guard SharedTestData.exists(file) else { return [] }
        let sections = try SharedTestData.text(file).components(separatedBy: "\n## ").filter { $0.hasPrefix("Vector") }
        return sections.compactMap { section in
            var fields: [String: String] = [:]
            for line in section.split(separator: "\n") where line.hasPrefix("| ") {
                let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count >= 2, let value = cells[1].split(separator: "`", omittingEmptySubsequences: false).dropFirst().first
                else { continue }
                fields[cells[0]] = String(value)
            }
            guard let secret = fields["secret"], let id = fields["msg id"], let timestamp = fields["timestamp"].flatMap({ Int64($0) }),
                  let payload = fields.first(where: { $0.key.hasPrefix("payload") })?.value, let signature = fields["expected signature"]
            else { return nil }
            let name = String(section.prefix { $0 != "\n" && $0 != "(" }).trimmingCharacters(in: .whitespaces)
            return StandardWebhooksVector(name: name, secret: secret, id: id, timestamp: timestamp, payload: payload, signature: signature)
        }
    }
}

@Suite("Standard Webhooks signer and verifier")
struct StandardWebhooksTests {
    static let vectorsPresent = SharedTestData.exists(StandardWebhooksVector.file)

    func request(id: String, timestamp: Int64, signature: String, payload: String) -> InboundRequest {
        InboundRequest(body: bytes(payload), headers: ["webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signature])
    }

    @Test(
        "Both known-answer vectors sign and verify",
        .enabled(if: vectorsPresent, "shared/testdata/standard_webhooks_vectors.md is missing; the known-answer vectors did not run"))
    func knownAnswers() throws {
        let vectors = try StandardWebhooksVector.all()
        #expect(vectors.count == 2, "the vectors file should hold Vector 1 and Vector 2")
        for vector in vectors {
            let signer = try StandardWebhooks(secret: vector.secret)
            #expect(signer.signature(id: vector.id, timestamp: vector.timestamp, body: bytes(vector.payload)) == vector.signature, "\(vector)")
            let now = Date(timeIntervalSince1970: TimeInterval(vector.timestamp))
            #expect(inboundError { try signer.verify(request(id: vector.id, timestamp: vector.timestamp, signature: vector.signature, payload: vector.payload), now: now) } == nil)
        }
    }

    @Test(
        "Vector 1 taken from the file is the one the libraries share",
        .enabled(if: vectorsPresent, "shared/testdata/standard_webhooks_vectors.md is missing"))
    func vectorOneParsed() throws {
        let first = try #require(try StandardWebhooksVector.all().first)
        #expect(first.secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(first.payload == #"{"test": 2432232314}"#)
        #expect(first.timestamp == 1_614_265_330)
    }

    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let payload = #"{"test": 2432232314}"#
    static let valid = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let now = Date(timeIntervalSince1970: TimeInterval(timestamp))

    @Test(
        "Wrong, partial and wrong-version signatures are refused",
        arguments: [
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLawdd", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            "v1,dawfeoifkpqwoekfpqoekf", "v1,", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O", "invalid_signature",
            "v1,invalid_signature", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ])
    func refusesWrongSignatures(signature: String) throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        let error = inboundError { try signer.verify(request(id: Self.id, timestamp: Self.timestamp, signature: signature, payload: Self.payload), now: Self.now) }
        #expect(error?.kind == .badSignature)
    }

    @Test("The Rust library's negative vector does not verify")
    func rustNegative() throws {
        let signer = try StandardWebhooks(secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        let error = inboundError {
            try signer.verify(request(
                id: "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", timestamp: 1_649_367_553, signature: "v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=",
                payload: #"{"email":"test@example.com","username":"test_user"}"#), now: Date(timeIntervalSince1970: 1_649_367_553))
        }
        #expect(error?.kind == .badSignature)
    }

    @Test("Any one matching entry among several is enough")
    func severalSignatures() throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        let other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        let header = [other, other, Self.valid, other].joined(separator: " ")
        #expect(inboundError { try signer.verify(request(id: Self.id, timestamp: Self.timestamp, signature: header, payload: Self.payload), now: Self.now) } == nil)
    }

    @Test("A flipped body byte is refused")
    func flippedBody() throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        var request = request(id: Self.id, timestamp: Self.timestamp, signature: Self.valid, payload: Self.payload)
        request.body = flipped(request.body, at: 3)
        #expect(inboundError { try signer.verify(request, now: Self.now) }?.kind == .badSignature)
    }

    @Test("Five minutes either way is accepted, one second more is stale")
    func tolerance() throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        let request = request(id: Self.id, timestamp: Self.timestamp, signature: Self.valid, payload: Self.payload)
        #expect(inboundError { try signer.verify(request, now: Self.now.addingTimeInterval(300)) } == nil)
        #expect(inboundError { try signer.verify(request, now: Self.now.addingTimeInterval(-300)) } == nil)
        let late = inboundError { try signer.verify(request, now: Self.now.addingTimeInterval(301)) }
        #expect(late?.kind == .staleTimestamp)
        #expect(late?.message.contains("in the past") == true)
        let early = inboundError { try signer.verify(request, now: Self.now.addingTimeInterval(-301)) }
        #expect(early?.kind == .staleTimestamp)
        #expect(early?.message.contains("in the future") == true)
    }

    @Test("Timestamps that are not whole seconds are refused", arguments: ["161426533.0", "invalid timestamp", "-161426533", "+1614265330", ""])
    func badTimestamps(text: String) throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        let request = InboundRequest(body: bytes(Self.payload), headers: ["webhook-id": Self.id, "webhook-timestamp": text, "webhook-signature": Self.valid])
        let error = inboundError { try signer.verify(request, now: Self.now) }
        #expect(error?.kind == (text.isEmpty ? .missingSignature : .badSignature))
    }

    @Test("Each missing header is named", arguments: ["webhook-id", "webhook-timestamp", "webhook-signature"])
    func missingHeaders(name: String) throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        var request = request(id: Self.id, timestamp: Self.timestamp, signature: Self.valid, payload: Self.payload)
        request.headers[name] = nil
        #expect(inboundError { try signer.verify(request, now: Self.now) } == .missingSignature("the \(name) header is missing"))
    }

    @Test("Header names match whatever their case")
    func mixedCaseHeaders() throws {
        let signer = try StandardWebhooks(secret: Self.secret)
        let request = InboundRequest(
            body: bytes(Self.payload),
            headers: ["Webhook-Id": Self.id, "WEBHOOK-TIMESTAMP": String(Self.timestamp), "webhook-SIGNATURE": Self.valid])
        #expect(inboundError { try signer.verify(request, now: Self.now) } == nil)
    }

    @Test("Secrets work with or without whsec_, with or without padding; empty ones are refused")
    func secrets() throws {
        let bare = try StandardWebhooks(secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(bare.signature(id: Self.id, timestamp: Self.timestamp, body: bytes(Self.payload)) == Self.valid)
        for (unpadded, padded) in [("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS="), ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr==")] {
            let a = try StandardWebhooks(secret: unpadded).signature(id: "m", timestamp: 1, body: bytes("x"))
            let b = try StandardWebhooks(secret: padded).signature(id: "m", timestamp: 1, body: bytes("x"))
            #expect(a == b)
        }
        #expect(throws: StandardWebhooks.InvalidSecret.self) { try StandardWebhooks(secret: "") }
        #expect(throws: StandardWebhooks.InvalidSecret.self) { try StandardWebhooks(secret: "whsec_") }
        #expect(throws: StandardWebhooks.InvalidSecret.self) { try StandardWebhooks(secret: "whsec_!!!not base64!!!") }
    }

    @Test("Signed headers verify; generated secrets are whsec_ and usable")
    func roundTrip() throws {
        let secret = StandardWebhooks.generateSecret()
        #expect(secret.hasPrefix("whsec_"))
        let signer = try StandardWebhooks(secret: secret)
        let body = bytes(#"{"type":"shipment.delivered"}"#)
        let now = Date(timeIntervalSince1970: 1_782_993_600)
        let headers = signer.headers(id: "msg_1", timestamp: now, body: body)
        #expect(headers["webhook-timestamp"] == "1782993600")
        #expect(inboundError { try signer.verify(InboundRequest(body: body, headers: headers), now: now) } == nil)
        let other = try StandardWebhooks(secret: StandardWebhooks.generateSecret())
        #expect(inboundError { try other.verify(InboundRequest(body: body, headers: headers), now: now) }?.kind == .badSignature)
    }
}
