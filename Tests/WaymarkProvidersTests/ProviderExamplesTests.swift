import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

/// The providers' own published webhook bodies (`Fixtures/ProviderExamples`, each with its source
/// in `examples.json` and README.md), decoded unchanged and checked against PROVIDERS.md's table.
///
/// Where an example disagrees with itself, Waymark follows the provider's stated current status:
/// - EasyPost's Tracking Guide sample says `delivered`, but its delivered scan is dated before
///   every other scan, so the newest scan by time is "out for delivery". The shipment is delivered
///   (the statement becomes a checkpoint just after the newest scan).
/// - Shippo's webhook guide sample repeats its current status in the history 2 ms apart; both are
///   delivered, so they agree and the shipment is delivered.
/// - Track123's help-centre sample writes `Delivered` in title case for both status and
///   sub-status; the sub-status is no `DELIVERED_0x` code, so it means its family: delivered.
/// No complete published body was found for AfterShip or 17TRACK (their documentation builds its
/// samples in the browser); their fixtures beside this folder are written from the documented fields.
@Suite("Provider-published examples")
struct ProviderExamplesTests {
    struct Example: Decodable, CustomStringConvertible, Sendable {
        var file: String
        var provider: String
        var source: String
        var expect: [Expectation]
        var description: String { file }

        struct Expectation: Decodable, Sendable {
            var tracking_number: String
            var status: String
            var substatus: String?
        }
    }

    static let directory = Fixture.directory.appendingPathComponent("ProviderExamples")

    static let examples: [Example] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("examples.json")),
              let examples = try? JSONDecoder().decode([Example].self, from: data)
        else { return [] }
        return examples
    }()

    @Test("The manifest lists examples of several providers, each with its source")
    func manifest() {
        #expect(Set(Self.examples.map(\.provider)).isSuperset(of: ["easypost", "shippo", "track123"]))
        #expect(Self.examples.allSatisfy { !$0.source.isEmpty })
    }

    @Test("Each example decodes to the status PROVIDERS.md gives", arguments: examples)
    func decodes(example: Example) throws {
        let provider = try #require(ProviderName(rawValue: example.provider))
        let body = Array(try Data(contentsOf: Self.directory.appendingPathComponent(example.file)))
        let webhook = try ProviderAdapters.adapter(for: provider).decode(InboundRequest(body: body, headers: [:]))
        #expect(webhook.updates.count == example.expect.count)
        for (update, expected) in zip(webhook.updates, example.expect) {
            #expect(update.trackingNumber == TrackingNumber.compact(expected.tracking_number))
            let resolution = ShipmentStatusRule.resolve(update.events)
            #expect(resolution.status.rawValue == expected.status, "\(example.file)")
            #expect(resolution.substatus?.description == expected.substatus, "\(example.file)")
        }
    }

    @Test("EasyPost's published signature vector verifies, NFKD-normalised secret and all")
    func easypostSignatureVector() throws {
        struct Vector: Decodable { var secret: String; var body_file: String; var signature: String }
        let vector = try JSONDecoder().decode(Vector.self, from: Data(contentsOf: Self.directory.appendingPathComponent("easypost-signature-vector.json")))
        let body = Array(try Data(contentsOf: Self.directory.appendingPathComponent(vector.body_file)))
        let request = InboundRequest(body: body, headers: ["x-hmac-signature": vector.signature])
        let adapter = ProviderAdapters.adapter(for: .easypost)
        #expect(inboundError { try adapter.verify(request, credentials: ProviderCredentials(secret: vector.secret), now: Date()) } == nil)
        let other = InboundRequest(body: flipped(body, at: 20), headers: ["x-hmac-signature": vector.signature])
        #expect(inboundError { try adapter.verify(other, credentials: ProviderCredentials(secret: vector.secret), now: Date()) }?.kind == .badSignature)
    }
}
