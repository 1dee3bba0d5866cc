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

    @Test("The codes merchants already use keep working")
    func existingCodes() {
        for code in ["ups", "usps", "fedex", "dhl", "dhl-ecommerce", "dhl-paket", "amazon", "ontrac", "lasership", "canada-post", "canpar",
                     "purolator", "dpd", "yodel", "yunexpress", "landmark", "royal-mail", "la-poste", "china-post", "postnl", "japan-post",
                     "correos", "poste-italiane", "inpost", "correios"] {
            #expect(CarrierRegistry.carrier(code: code) != nil, "\(code)")
        }
    }

    @Test("Every carrier has a lowercase slug, a name and an https tracking page with {number}")
    func wellFormed() {
        for carrier in CarrierRegistry.all {
            #expect(!carrier.code.isEmpty && carrier.code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }, "\(carrier.code)")
            #expect(!carrier.name.isEmpty, "\(carrier.code)")
            #expect(carrier.trackingURLTemplate.hasPrefix("https://") && carrier.trackingURLTemplate.contains("{number}"), "\(carrier.code)")
            if let country = carrier.country {
                #expect(country.count == 2 && country == country.uppercased(), "\(carrier.code)")
            }
        }
    }

    @Test("Every country's S10 numbers have a postal operator: a named one, or '<Country> postal service'")
    func postalOperators() {
        #expect(CarrierRegistry.postalOperator(country: "US")?.code == "usps")
        #expect(CarrierRegistry.postalOperator(country: "CA")?.code == "canada-post")
        #expect(CarrierRegistry.postalOperator(country: "GB")?.code == "royal-mail")
        #expect(CarrierRegistry.postalOperator(country: "DE")?.code == "deutsche-post")
        #expect(CarrierRegistry.postalOperator(country: "CN")?.code == "china-post")
        #expect(CarrierRegistry.postalOperator(country: "BR")?.code == "correios")
        let capeVerde = CarrierRegistry.postalOperator(country: "CV")
        #expect(capeVerde?.code == "post-cv")
        #expect(capeVerde?.name == "Cape Verde postal service")
        #expect(CarrierRegistry.carrier(code: "post-cv") == capeVerde)
        // No generic operator where a named one exists.
        #expect(CarrierRegistry.carrier(code: "post-gb") == nil)
        #expect(CarrierRegistry.carrier(code: "post-us") == nil)
        for code in ["XX", "AQ", "PR", "gb", ""] {
            #expect(CarrierRegistry.postalOperator(country: code) == nil, "\(code)")
        }
        let named = CarrierRegistry.all.filter { $0.country != nil && CarrierRegistry.postalOperator(country: $0.country ?? "") == $0 && !$0.code.hasPrefix("post-") }
        #expect(named.count >= 60)
    }
}
