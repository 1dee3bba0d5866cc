import Testing
import WaymarkCore

@Suite("Carrier")
struct CarrierTests {
    @Test("Carriers are found by code, in any case")
    func lookup() throws {
        #expect(CarrierRegistry.carrier(code: "ups")?.name == "UPS")
        #expect(CarrierRegistry.carrier(code: "DHL-Paket")?.code == "dhl-paket")
        #expect(CarrierRegistry.carrier(code: "pigeon") == nil)
        #expect(Set(CarrierRegistry.all.map(\.code)).count == CarrierRegistry.all.count)
    }

    @Test("The tracking URL puts the number in place of {number}")
    func plainNumber() throws {
        let ups = try #require(CarrierRegistry.carrier(code: "ups"))
        #expect(ups.trackingURL(for: "1Z999AA10123456784") == "https://www.ups.com/track?tracknum=1Z999AA10123456784")
        for carrier in CarrierRegistry.all {
            let url = carrier.trackingURL(for: "AB-12_3.4~5")
            #expect(!url.contains("{number}"), "\(carrier.code)")
            #expect(url.contains("AB-12_3.4~5"), "\(carrier.code)")
        }
    }

    @Test("The tracking number is percent-encoded, so it cannot change the URL")
    func percentEncodes() {
        let carrier = Carrier(code: "x", name: "X", country: nil, trackingURLTemplate: "https://example.com/t?n={number}&lang=en")
        #expect(carrier.trackingURL(for: "AB 12/34?x=1&y#é") == "https://example.com/t?n=AB%2012%2F34%3Fx%3D1%26y%23%C3%A9&lang=en")
        #expect(carrier.trackingURL(for: "a\r\nb%") == "https://example.com/t?n=a%0D%0Ab%25&lang=en")
        #expect(carrier.trackingURL(for: "{number}") == "https://example.com/t?n=%7Bnumber%7D&lang=en")
    }
}
