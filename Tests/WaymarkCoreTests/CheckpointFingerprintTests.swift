import Foundation
import Testing
import WaymarkCore

@Suite("CheckpointEvent.fingerprint")
struct CheckpointFingerprintTests {
    @Test("Same second, status and message: equal, whatever the whitespace and case of the message")
    func sameCheckpoint() {
        let a = checkpoint(0, .inTransit, "Arrived at sort facility")
        var b = checkpoint(0.75, .inTransit, "  ARRIVED at\tsort   Facility\n")
        b.source = "track123"
        b.location = Place(city: "Leipzig", country: "DE")
        b.rawCode = "AR"
        #expect(a.fingerprint == b.fingerprint)
    }

    @Test("A different second makes a different checkpoint")
    func differentSecond() {
        #expect(checkpoint(0, .inTransit, "Arrived").fingerprint != checkpoint(1, .inTransit, "Arrived").fingerprint)
        #expect(checkpoint(59, .inTransit, "Arrived").fingerprint != checkpoint(60, .inTransit, "Arrived").fingerprint)
    }

    @Test("A different status, substatus or wording makes a different checkpoint")
    func differentContent() {
        let base = checkpoint(0, .delivered, "Delivered")
        #expect(base.fingerprint != checkpoint(0, .outForDelivery, "Delivered").fingerprint)
        #expect(base.fingerprint != checkpoint(0, .delivered, "Delivered to neighbour").fingerprint)
        let neighbour = checkpoint(0, .delivered, "Delivered", substatus: Substatus(status: .delivered, reason: "left_with_neighbor"))
        let mailbox = checkpoint(0, .delivered, "Delivered", substatus: Substatus(status: .delivered, reason: "mailbox"))
        #expect(neighbour.fingerprint != mailbox.fingerprint)
        #expect(base.fingerprint != neighbour.fingerprint)
    }

    @Test("The one-pass message normalization agrees with lowercasing and splitting on whitespace, for any text")
    func normalizationAgreesWithTheLongWay() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = (0x00...0x7F).map { Character(Unicode.Scalar(UInt8($0))) } + ["É", "ß", "\u{00A0}", "\u{2003}", "İ", "\r\n", "包"]
        var messages = ["", " ", "Scan 5 at the Denver hub", "\u{1C}x\u{1F}", "a\u{85}b", "ÅRHUS  Hub", "\r\n\tX\u{0B}Y\u{0C}"]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0..<24, using: &generator)
            let asciiOnly = Bool.random(using: &generator)
            messages.append(String((0..<length).map { _ in
                asciiOnly ? alphabet[Int.random(in: 0..<128, using: &generator)] : alphabet.randomElement(using: &generator) ?? " "
            }))
        }
        for message in messages {
            let expected = "1749988800|in_transit|" + message.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(checkpoint(0, .inTransit, message).fingerprint == expected, "\(Array(message.unicodeScalars))")
        }
    }
}
