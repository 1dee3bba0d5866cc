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
}
