import Foundation
import Testing
import WaymarkCore

@Suite("SMS segments")
struct SMSSegmentsTests {
    @Test("GSM-7: 160 septets in one segment, 153 per segment once split")
    func gsmBoundaries() {
        #expect(SMSSegments(String(repeating: "a", count: 160)) == SMSSegments.expected(.gsm7, 1, 160))
        #expect(SMSSegments(String(repeating: "a", count: 161)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 306)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 307)).count == 3)
        #expect(SMSSegments("").count == 1)
    }

    @Test("Extension characters take two septets and are not split across segments")
    func extensionTable() {
        #expect(SMSSegments("€").units == 2)
        #expect(SMSSegments(String(repeating: "€", count: 80)) == SMSSegments.expected(.gsm7, 1, 160))
        #expect(SMSSegments(String(repeating: "€", count: 81)).count == 2)
        // 152 septets, then an escape pair that does not fit in the first segment's 153.
        #expect(SMSSegments(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 10)).count == 2)
        #expect(SMSSegments(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)).count == 3)
    }

    @Test("One character outside GSM-7 makes the whole text UCS-2: 70, then 67 per segment")
    func ucs2() {
        #expect(SMSSegments("Zustellung heute ✓").encoding == .ucs2)
        #expect(SMSSegments("Łódź").encoding == .ucs2)
        #expect(SMSSegments("Ærø Ñandù").encoding == .gsm7)
        #expect(SMSSegments(String(repeating: "配", count: 70)).count == 1)
        #expect(SMSSegments(String(repeating: "配", count: 71)).count == 2)
        #expect(SMSSegments(String(repeating: "配", count: 134)).count == 2)
        #expect(SMSSegments(String(repeating: "配", count: 135)).count == 3)
    }

    @Test("Emoji are surrogate pairs: two units, never split")
    func surrogatePairs() {
        #expect(SMSSegments("📦").units == 2)
        #expect(SMSSegments(String(repeating: "📦", count: 35)).count == 1)
        // 134 units would fill two segments of 67, but the pair at units 67–68 cannot straddle them.
        #expect(SMSSegments(String(repeating: "配", count: 132) + "📦").count == 2)
        #expect(SMSSegments(String(repeating: "配", count: 66) + "📦" + String(repeating: "配", count: 66)).count == 3)
    }

    @Test("A text over the cap is shortened before its link, which stays whole")
    func fittingKeepsTheLink() {
        let link = "https://track.example.com/acme/t/AbCdEfGhIjKlMnOpQrStUvWx?src=sms"
        let text = "Acme: " + String(repeating: "your parcel is on its way ", count: 30) + link
        let fitted = SMSSegments.fitting(text, maxSegments: 2)
        #expect(SMSSegments(fitted).count <= 2)
        #expect(fitted.hasSuffix(" " + link))
        #expect(fitted.hasPrefix("Acme: your parcel"))
        #expect(fitted.contains("…"))
        #expect(SMSSegments.fitting("short " + link, maxSegments: 1) == "short " + link)
    }
}

private extension SMSSegments {
    static func expected(_ encoding: Encoding, _ count: Int, _ units: Int) -> SMSSegments {
        var segments = SMSSegments("")
        segments.encoding = encoding
        segments.count = count
        segments.units = units
        return segments
    }
}
