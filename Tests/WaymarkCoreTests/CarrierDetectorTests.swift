import Foundation
import Testing
@testable import WaymarkCore

@Suite("Carrier detection")
struct CarrierDetectorTests {
    func codes(_ number: String, valid: Bool? = nil) -> [String] {
        CarrierDetector.detect(number).filter { valid == nil || $0.valid == valid }.map(\.carrier.code)
    }

    @Test("A well-known number gets its carrier first", arguments: [
        ("1Z5R89390357567127", "ups"),
        ("9400 1112 0108 0805 4830 16", "usps"),
        ("986578788855", "fedex"),
        ("3318810025", "dhl"),
        ("GM2951173225174494", "dhl-ecommerce"),
        ("00340434161094042557", "dhl-paket"),
        ("TBA010000000000", "amazon"),
        ("C11031500001879", "ontrac"),
        ("LX17635036", "lasership"),
        ("0073938000549297", "canada-post"),
        ("D576002440000001718010", "canpar"),
        ("KYV009956937", "purolator"),
        ("0998 0000 0200 34D", "dpd"),
        ("JJD0002257639032011", "yodel"),
        ("YT2229521272164446", "yunexpress"),
        ("LTN74207623N1", "landmark"),
        ("RB123456785GB", "royal-mail"),
        ("EE123456785CN", "china-post"),
        ("RR123456785DE", "deutsche-post"),
        ("CP123456785CA", "canada-post"),
        ("RB123456785CV", "post-cv"),
    ])
    func bestCandidate(number: String, carrier: String) throws {
        let best = try #require(CarrierDetector.detect(number).first, "\(number)")
        #expect(best.carrier.code == carrier, "\(number): \(CarrierDetector.detect(number))")
        #expect(best.valid)
    }

    @Test("A wrong check digit leaves the carrier as an invalid candidate, after the valid ones")
    func invalidCheckDigit() {
        let candidates = CarrierDetector.detect("1Z5R89390357567128")
        #expect(candidates.map(\.carrier.code) == ["ups"])
        #expect(candidates.first?.valid == false)

        // 12 digits fit FedEx Express, Purolator and the DHL Paket Identcode; only the right check digits are valid.
        let twelve = CarrierDetector.detect("986578788855")
        #expect(twelve.first?.carrier.code == "fedex")
        let firstInvalid = twelve.firstIndex { !$0.valid } ?? twelve.endIndex
        #expect(twelve[firstInvalid...].allSatisfy { !$0.valid })
        #expect(twelve[..<firstInvalid].allSatisfy { $0.valid })
    }

    @Test("Each carrier is listed once, valid when any of its formats is")
    func oneCandidatePerCarrier() {
        // 20 digits: USPS (20) fails its check digit, USPS legacy (with the 91 put back) passes.
        let candidates = CarrierDetector.detect("7196 9010 7560 0307 7385")
        #expect(candidates.filter { $0.carrier.code == "usps" }.count == 1)
        #expect(candidates.first { $0.carrier.code == "usps" }?.valid == true)
        for number in ["1Z5R89390357567127", "9400111206206406260787", "420787459400111206206406260787", "00340434161094042557"] {
            let found = codes(number)
            #expect(Set(found).count == found.count, "\(number): \(found)")
        }
    }

    @Test("An S10 number is valid only for a country with a postal operator")
    func s10Country() throws {
        #expect(CarrierDetector.detect("RB123456785XX").isEmpty)
        #expect(CarrierDetector.detect("RB123456785AQ").isEmpty)
        #expect(codes("RB123456786US") == ["usps"])
        #expect(codes("RB123456786US", valid: true).isEmpty)
        let usps = try #require(CarrierRegistry.carrier(code: "usps"))
        #expect(CarrierDetector.detect("RB123456785US").first == CarrierCandidate(carrier: usps, valid: true))
    }

    @Test("White space and lowercase letters do not matter")
    func normalization() {
        #expect(CarrierDetector.normalized(" 1z 5r89\t3903\n5756 7127 ") == "1Z5R89390357567127")
        #expect(codes(" 1z 5r89\t3903\n5756 7127 ", valid: true).first == "ups")
        #expect(codes("rb123456785gb", valid: true) == ["royal-mail"])
        // Non-ASCII letters are not upper-cased into ASCII ones.
        #expect(CarrierDetector.normalized("ß") == "ß")
    }

    @Test("Hyphens are kept for the formats that have one and dropped for the others")
    func hyphens() {
        #expect(codes("1LS7119013618127-1", valid: true) == ["lasership"])
        #expect(codes("1LS7119013618127-2", valid: true).isEmpty)
        #expect(codes("1Z-5R8939-0357567127", valid: true).first == "ups")
        #expect(codes("9400-1112-0108-0805-4830-16", valid: true).first == "usps")
    }

    @Test("Dots, slashes and underscores are dropped like hyphens for formats without them")
    func otherSeparators() {
        #expect(codes("1Z.999.AA1.01.2345.6784", valid: true).first == "ups")
        #expect(codes("9400_1112_0108_0805_4830_16", valid: true).first == "usps")
        #expect(codes("RB123456785GB", valid: true) == codes("RB/123/456/785/GB", valid: true))
    }

    @Test("Junk, empty and overlong input has no candidates", arguments: [
        "", "   ", "-", "hello", "1Z<script>", "😀😀😀", String(repeating: "1", count: 65), "RB123456785GB" + String(repeating: " X1", count: 26),
    ])
    func noCandidates(number: String) {
        #expect(CarrierDetector.detect(number).isEmpty)
    }

    @Test("Every format names a carrier the registry knows, and every carrier detection can name has a tracking page")
    func formatsNameKnownCarriers() {
        for format in TrackingNumberFormat.all {
            if case .carrier(let code) = format.issuer {
                #expect(CarrierRegistry.carrier(code: code) != nil, "\(format.name): \(code)")
            }
            if format.checkDigit != nil {
                #expect(format.lengths.lowerBound >= 2, "\(format.name)")
            }
        }
        for country in CountryNames.byCode.keys {
            let carrier = CarrierRegistry.postalOperator(country: country)
            #expect(carrier?.country == country, "\(country)")
            #expect(carrier?.trackingURLTemplate.contains("{number}") == true, "\(country)")
        }
    }
}

@Suite("NewShipment carrier detection")
struct NewShipmentCarrierDetectionTests {
    @Test("Without a carrier, the best valid candidate's code is taken")
    func detectsCarrier() throws {
        #expect(try NewShipment(trackingNumber: "1z5r 8939 0357 5671 27").validated().carrier == "ups")
        #expect(try NewShipment(trackingNumber: "RB123456785GB").validated().carrier == "royal-mail")
        #expect(try NewShipment(trackingNumber: "9400 1112 0108 0805 4830 16", carrier: "  ").validated().carrier == "usps")
    }

    @Test("Without a valid candidate, the carrier stays unset")
    func noValidCandidate() throws {
        #expect(try NewShipment(trackingNumber: "1Z5R89390357567128").validated().carrier == nil)
        #expect(try NewShipment(trackingNumber: "ORDER-1").validated().carrier == nil)
    }

    @Test("A carrier given by the merchant wins over detection")
    func explicitCarrierWins() throws {
        #expect(try NewShipment(trackingNumber: "1Z5R89390357567127", carrier: "DHL").validated().carrier == "dhl")
    }
}
