import Foundation
import Testing
import WaymarkCore

/// The tracking_number_data corpus (jkeen/tracking_number_data, MIT) in
/// `../shared/testdata/tracking_number_data/couriers/*.json`: per courier, formats with valid and
/// invalid test numbers, written with spaces inside and around them.
///
/// Acceptance: every valid number has its courier among the valid candidates; no invalid number is
/// valid for its courier. An invalid number that the same courier lists as valid under another of
/// its formats (Purolator's 331426749957 is not "alpha + 9" but is a valid 12-digit Purolator
/// number) is valid for that courier, and is counted apart rather than as a failure.
enum TrackingNumberCorpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WaymarkCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/testdata/tracking_number_data/couriers")
        .standardizedFileURL

    /// Whether the corpus is present; prints a loud message when it is not, since the test is then skipped.
    static let isAvailable: Bool = {
        let exists = FileManager.default.fileExists(atPath: directory.path)
        if !exists {
            print("""
                ************************************************************************
                * SKIPPING the tracking number corpus test: \(directory.path) not found.
                * Check out ../shared/testdata next to the package to run it.
                ************************************************************************
                """)
        }
        return exists
    }()

    struct Courier: Decodable {
        let name: String
        let courier_code: String
        let tracking_numbers: [Format]
    }

    struct Format: Decodable {
        let name: String
        let id: String?
        let test_numbers: TestNumbers
    }

    struct TestNumbers: Decodable {
        let valid: [String]?
        let invalid: [String]?
    }

    /// The corpus's courier codes as Waymark codes.
    static let waymarkCode: [String: String] = [
        "amazon": "amazon", "canada_post": "canada-post", "canpar": "canpar", "dhl": "dhl", "dpd": "dpd", "fedex": "fedex",
        "gofo": "gofo", "landmark": "landmark", "lasership": "lasership", "old_dominion": "old-dominion", "ontrac": "ontrac",
        "purolator": "purolator", "speedee": "speedee", "ups": "ups", "usps": "usps", "yodel": "yodel", "yunexpress": "yunexpress",
    ]

    /// Formats a courier file lists that Waymark files under another of its carriers.
    static let waymarkCodeByFormat: [String: String] = ["dhl_ecommerce": "dhl-ecommerce", "dhl_ecommerce_14": "dhl-ecommerce"]

    /// S10 numbers belong to the postal operator of their last two letters.
    static let postalOperatorByCountry: [String: String] = ["GB": "royal-mail", "US": "usps", "CV": "post-cv", "CF": "post-cf"]

    /// The Waymark carrier a test number belongs to; nil when the corpus names no carrier we know
    /// (an S10 number from a country code no postal operator has).
    static func expectedCarrier(courier: Courier, format: Format, number: String) -> String? {
        if courier.courier_code == "s10" {
            return postalOperatorByCountry[String(CarrierDetector.normalized(number).suffix(2))]
        }
        if let id = format.id, let code = waymarkCodeByFormat[id] { return code }
        return waymarkCode[courier.courier_code]
    }

    static func couriers() throws -> [(file: String, courier: Courier)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { file in
            (file, try JSONDecoder().decode(Courier.self, from: Data(contentsOf: directory.appendingPathComponent(file))))
        }
    }
}

@Suite("Tracking number corpus")
struct TrackingNumberCorpusTests {
    struct Tally {
        var validFound = 0, validTotal = 0, invalidRejected = 0, invalidTotal = 0, listedValidElsewhere = 0
    }

    @Test("Every valid corpus number is detected as valid for its carrier; no invalid one is", .enabled(if: TrackingNumberCorpus.isAvailable))
    func corpus() throws {
        let couriers = try TrackingNumberCorpus.couriers()
        #expect(couriers.count >= 18, "the corpus has fewer courier files than expected")
        var table: [(String, Tally)] = []

        for (file, courier) in couriers {
            #expect(courier.courier_code == "s10" || TrackingNumberCorpus.waymarkCode[courier.courier_code] != nil,
                    "\(file): corpus courier '\(courier.courier_code)' has no Waymark code in the test's table")
            var tally = Tally()
            // What the corpus itself lists as valid, per Waymark carrier.
            var listedValid: [String: Set<String>] = [:]
            for format in courier.tracking_numbers {
                for number in format.test_numbers.valid ?? [] {
                    if let code = TrackingNumberCorpus.expectedCarrier(courier: courier, format: format, number: number) {
                        listedValid[code, default: []].insert(CarrierDetector.normalized(number))
                    }
                }
            }

            for format in courier.tracking_numbers {
                for number in format.test_numbers.valid ?? [] {
                    tally.validTotal += 1
                    let expected = TrackingNumberCorpus.expectedCarrier(courier: courier, format: format, number: number)
                    let candidates = CarrierDetector.detect(number)
                    let found = candidates.contains { $0.valid && $0.carrier.code == expected }
                    if found { tally.validFound += 1 }
                    #expect(found, "\(courier.name) / \(format.name): valid \(number.debugDescription) not valid for \(expected ?? "?"); got \(Self.describe(candidates))")
                }
                for number in format.test_numbers.invalid ?? [] {
                    tally.invalidTotal += 1
                    let expected = TrackingNumberCorpus.expectedCarrier(courier: courier, format: format, number: number)
                    if let expected, listedValid[expected]?.contains(CarrierDetector.normalized(number)) == true {
                        tally.listedValidElsewhere += 1
                        continue
                    }
                    let candidates = CarrierDetector.detect(number)
                    // With no known issuer (an S10 number from an unknown country), nothing may call it valid.
                    let accepted = candidates.contains { $0.valid && (expected == nil || $0.carrier.code == expected) }
                    if !accepted { tally.invalidRejected += 1 }
                    #expect(!accepted, "\(courier.name) / \(format.name): invalid \(number.debugDescription) accepted; got \(Self.describe(candidates))")
                }
            }
            table.append((courier.name, tally))
        }
        print(Self.render(table))
    }

    static func describe(_ candidates: [CarrierCandidate]) -> String {
        candidates.isEmpty ? "no candidates" : candidates.map { "\($0.carrier.code)\($0.valid ? "" : " (bad check digit)")" }.joined(separator: ", ")
    }

    static func render(_ table: [(String, Tally)]) -> String {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        var lines = ["Tracking number corpus", pad("courier", 30) + pad("valid found", 14) + pad("invalid rejected", 18) + "note"]
        var total = Tally()
        for (name, tally) in table {
            let note = tally.listedValidElsewhere > 0 ? "\(tally.listedValidElsewhere) invalid listed valid by another format of the courier" : ""
            lines.append(pad(name, 30) + pad("\(tally.validFound)/\(tally.validTotal)", 14)
                + pad("\(tally.invalidRejected)/\(tally.invalidTotal - tally.listedValidElsewhere)", 18) + note)
            total.validFound += tally.validFound
            total.validTotal += tally.validTotal
            total.invalidRejected += tally.invalidRejected
            total.invalidTotal += tally.invalidTotal - tally.listedValidElsewhere
        }
        lines.append(pad("all", 30) + pad("\(total.validFound)/\(total.validTotal)", 14) + pad("\(total.invalidRejected)/\(total.invalidTotal)", 18))
        return lines.joined(separator: "\n")
    }
}
