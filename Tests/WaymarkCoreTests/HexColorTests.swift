import Foundation
import Testing
import WaymarkCore

@Suite("HexColor")
struct HexColorTests {
    static let black = HexColor(red: 0, green: 0, blue: 0)

    @Test("#rgb and #rrggbb parse in any case, with surrounding white space")
    func parses() {
        #expect(HexColor("#abc") == HexColor(red: 0xAA, green: 0xBB, blue: 0xCC))
        #expect(HexColor("#AABBCC") == HexColor(red: 0xAA, green: 0xBB, blue: 0xCC))
        #expect(HexColor("#1f4ED8") == HexColor.waymarkBlue)
        #expect(HexColor(" #fff\n") == HexColor.white)
        #expect(HexColor("#000") == Self.black)
    }

    @Test("Anything else is refused", arguments: ["", "#", "abc", "aabbcc", "#ab", "#abcd", "#abcde", "#abcdeff", "#ggg", "#12345g", "# abcde", "#ab cd", "rgb(0,0,0)", "##abcde"])
    func invalid(text: String) {
        #expect(HexColor(text) == nil)
    }

    @Test("Colours print as lowercase #rrggbb")
    func describes() {
        #expect(HexColor(red: 0, green: 0x0A, blue: 0xFF).description == "#000aff")
        #expect(HexColor("#ABC")?.description == "#aabbcc")
        #expect(HexColor.waymarkBlue.description == "#1f4ed8")
    }

    @Test("WCAG contrast: white on black is 21, a colour on itself is 1, and order does not matter")
    func contrast() {
        #expect(abs(HexColor.white.contrast(with: Self.black) - 21) < 1e-9)
        #expect(abs(Self.black.contrast(with: .white) - 21) < 1e-9)
        #expect(abs(HexColor.waymarkBlue.contrast(with: .waymarkBlue) - 1) < 1e-12)
        #expect(abs(HexColor.white.relativeLuminance - 1) < 1e-9)
        #expect(Self.black.relativeLuminance == 0)
        // #767676 is the classic lightest grey that passes AA (4.5:1) on white.
        let grey = HexColor(red: 0x76, green: 0x76, blue: 0x76)
        #expect(grey.contrast(with: .white) >= 4.5)
        #expect(grey.contrast(with: .white) < 4.6)
    }

    @Test("A pale brand colour is darkened until it reaches 4.5:1 on white")
    func adjustsPaleColour() throws {
        let yellow = try #require(HexColor("#ffdd00"))
        #expect(yellow.contrast(with: .white) < 4.5)
        let adjusted = yellow.adjusted(toContrast: 4.5, against: .white)
        #expect(adjusted.contrast(with: .white) >= 4.5)
        #expect(adjusted.red <= yellow.red && adjusted.green <= yellow.green && adjusted.blue <= yellow.blue)
    }

    @Test("A dark colour is lightened until it reaches 4.5:1 on black")
    func adjustsDarkColour() {
        let darkGrey = HexColor(red: 0x20, green: 0x20, blue: 0x20)
        let adjusted = darkGrey.adjusted(toContrast: 4.5, against: Self.black)
        #expect(adjusted.contrast(with: Self.black) >= 4.5)
        #expect(adjusted.red > darkGrey.red)
    }

    @Test("A colour that already passes is left alone")
    func keepsPassingColour() {
        #expect(HexColor.ink.adjusted(toContrast: 4.5, against: .white) == .ink)
        #expect(HexColor.waymarkBlue.adjusted(toContrast: 4.5, against: .white) == .waymarkBlue)
    }

    @Test("Readable text is white on dark colours and ink on light ones")
    func readableText() throws {
        #expect(Self.black.readableText == .white)
        #expect(HexColor.waymarkBlue.readableText == .white)
        #expect(HexColor.white.readableText == .ink)
        #expect(try #require(HexColor("#ffdd00")).readableText == .ink)
    }

    @Test("A sign after # is not a hex digit")
    func signIsNotAHexDigit() {
        #expect(HexColor("#+abcde") == nil)
        #expect(HexColor("#-00000") == nil)
    }

    @Test("Branding is stored with #rrggbb colours, and documents in the older {red, green, blue} form still read")
    func brandingDocuments() throws {
        let branding = Branding(primaryColor: try #require(HexColor("#7A2E1D")), logoURL: "https://cdn.shop.test/logo.svg")
        let stored = String(decoding: try JSONEncoder().encode(branding), as: UTF8.self)
        #expect(stored.contains(##""primary_color":"#7a2e1d""##) && stored.contains(##""accent_color":"#0e7c4a""##))
        #expect(try JSONDecoder().decode(Branding.self, from: Data(stored.utf8)) == branding)

        // What a merchant or an operator writes: short colours, and a colour left out is Waymark's.
        let written = try JSONDecoder().decode(Branding.self, from: Data(##"{"primary_color": "#fA0", "support_email": "help@shop.test"}"##.utf8))
        #expect(written.primaryColor == HexColor("#ffaa00") && written.accentColor == .waymarkGreen && written.supportEmail == "help@shop.test")

        let older = #"{"primary_color": {"red": 122, "green": 46, "blue": 29}, "accent_color": {"red": 14, "green": 124, "blue": 74}}"#
        #expect(try JSONDecoder().decode(Branding.self, from: Data(older.utf8)).primaryColor == HexColor("#7a2e1d"))

        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Branding.self, from: Data(#"{"primary_color": "teal"}"#.utf8)) }
    }
}
