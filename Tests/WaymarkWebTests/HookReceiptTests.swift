import Foundation
import Testing
import WaymarkCore
@testable import WaymarkWeb

@Suite("HookReceipt: written by hand, byte for byte what JSONEncoder.api writes")
struct HookReceiptTests {
    /// Every ASCII byte, quotes, backslashes, slashes, and text beyond ASCII.
    static let awkward = [
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }), "say \"hi\" \\ back/slash", "Zürich 包裹 🚚", "",
    ]

    @Test("Receipts with and without shipments, skips and odd text encode as JSONEncoder.api does")
    func sameBytesAsTheEncoder() throws {
        var outcomes = [InboundOutcome(duplicate: true, results: [])]
        for text in Self.awkward {
            outcomes.append(InboundOutcome(duplicate: false, results: [
                .init(trackingNumber: text, shipmentID: "shp_\(text)", created: true, inserted: 2, statusChanged: true),
                .init(trackingNumber: "1Z999", created: false, inserted: 0, statusChanged: false, skipped: text),
            ]))
        }
        for outcome in outcomes {
            let receipt = HookReceipt(outcome)
            #expect(receipt.json == Array(try JSONEncoder.api.encode(receipt)), "\(outcome)")
        }
    }
}
