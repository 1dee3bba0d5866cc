import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// Data from merchants and carriers is text, never markup: every place it lands on the page
/// must be escaped.
@Suite struct EscapingTests {
    @Test func hostileOrderNumberAndCarrierTextRenderInert() async throws {
        let fixture = try await Fixture.make()
        let db = fixture.database
        let tenantID = fixture.acme.tenant.id
        let shipment = try await db.createShipment(tenantID: tenantID, try NewShipment(
            trackingNumber: "XSS1", orderNumber: "\"><script>alert(1)</script>",
            destination: Destination(city: "<img src=x onerror=alert(2)>", country: "US")).validated())
        _ = try await db.recordCheckpoints(tenantID: tenantID, shipmentID: shipment.id, events: [
            CheckpointEvent(
                occurredAt: Fixture.now, status: .inTransit, message: "<a href=\"javascript:alert(3)\">x</a><svg onload=alert(4)>",
                location: Place(city: "\" onmouseover=\"alert(5)"), source: "test"),
        ])
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/acme/t/\(shipment.token)", method: .get) { response in
                let html = response.text
                #expect(!html.contains("<script"))
                #expect(!html.contains("<img src=x"))
                #expect(!html.contains("<svg"))
                #expect(!html.contains("href=\"javascript:"))
                #expect(!html.contains("\" onmouseover=\""))
                #expect(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text")
                #expect(html.contains("&lt;img src=x onerror=alert(2)&gt;"))
            }
        }
    }

    /// Each XSS payload of the DOMPurify corpus, as a carrier's checkpoint message, renders as
    /// text: no element or attribute of it survives.
    @Test(.enabled(if: TestData.available, "../shared/testdata is missing"))
    func dompurifyPayloadsInCheckpointMessagesRenderAsText() async throws {
        let url = TestData.root.appendingPathComponent("dompurify-fixtures/expect.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let payloads = cases.compactMap { $0["payload"] as? String }.filter { $0.contains("<") }
        #expect(payloads.count > 50)
        let fixture = try await Fixture.make()
        let tenantID = fixture.acme.tenant.id
        let events = payloads.enumerated().map { index, payload in
            CheckpointEvent(
                occurredAt: Fixture.now.addingTimeInterval(Double(-index)), status: .inTransit, message: payload, source: "test")
        }
        _ = try await fixture.database.recordCheckpoints(tenantID: tenantID, shipmentID: fixture.acmeShipment.id, events: events)
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: fixture.acmeTrackingPath, method: .get) { response in
                let html = response.text
                let messages = html.components(separatedBy: "<p class=\"checkpoint-message\">").dropFirst()
                #expect(messages.count >= payloads.count)
                for message in messages {
                    let text = message.components(separatedBy: "</p>").first ?? ""
                    #expect(!text.contains("<"), "unescaped markup in \(text.prefix(80))")
                    #expect(!text.contains(">"), "unescaped markup in \(text.prefix(80))")
                }
                #expect(!html.contains("<script"))
            }
        }
    }
}

enum TestData {
    static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    static let available: Bool = {
        let present = FileManager.default.fileExists(atPath: root.path)
        if !present { print("⚠️  SKIPPING corpus tests: \(root.path) is missing (it holds the shared test corpora)") }
        return present
    }()
}
