import Testing
import WaymarkCore

@Suite("NewShipment.validated")
struct NewShipmentValidationTests {
    /// The problems `validated()` reports; empty when it succeeds.
    func problems(_ shipment: NewShipment) -> [ValidationError] {
        do throws(ValidationErrors) {
            _ = try shipment.validated()
            return []
        } catch {
            return error.problems
        }
    }

    func fields(_ shipment: NewShipment) -> [String?] { problems(shipment).map(\.field) }

    @Test("The tracking number is trimmed, uppercased and loses its spaces")
    func normalizesTrackingNumber() throws {
        let valid = try NewShipment(trackingNumber: "  1z 999 aa1 0123 4567 84\n").validated()
        #expect(valid.trackingNumber == "1Z999AA10123456784")
        #expect(try NewShipment(trackingNumber: "ab-12").validated().trackingNumber == "AB-12")
    }

    @Test("An empty tracking number is required")
    func emptyTrackingNumber() {
        #expect(problems(NewShipment(trackingNumber: "   ")) == [ValidationError("is required", field: "tracking_number")])
        #expect(fields(NewShipment(trackingNumber: "")) == ["tracking_number"])
    }

    @Test("Numbers as carriers and providers print them: spaces, hyphens, dots, slashes, underscores",
          arguments: [("SHIPPO_DELIVERED", "SHIPPO_DELIVERED"), ("ab/12", "AB/12"), ("JD.0123.4567", "JD.0123.4567"), ("AB\t12", "AB12"),
                      ("1z 999 aa1 01 2345 6784", "1Z999AA10123456784")])
    func separators(number: String, stored: String) throws {
        #expect(try NewShipment(trackingNumber: number).validated().trackingNumber == stored)
        #expect(try TrackingNumber.validated(number) == stored)
    }

    @Test("What cannot be a tracking number is refused with the reason",
          arguments: [("ÄB12", "not 'Ä'"), ("1Z<script>", "not '<'"), ("AB\u{0}12", "not"), ("-AB12", "start with a letter or a digit"),
                      ("AB;12", "not ';'"), (String(repeating: "9", count: 65), "at most 64")])
    func invalidTrackingNumber(number: String, reason: String) {
        let found = problems(NewShipment(trackingNumber: number))
        #expect(found.map(\.field) == ["tracking_number"])
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
    }

    @Test("The API's schema pattern accepts exactly what the rule accepts, for text without other white space")
    func patternAgreesWithTheRule() throws {
        let pattern = try Regex(TrackingNumber.pattern)
        for number in ["SHIPPO_DELIVERED", "1Z 999 AA1", "JD.01/2-3", "-AB", "AB;1", "ÄB", "_X", String(repeating: "9", count: 64)] {
            let byRule = (try? TrackingNumber.validated(number)) != nil
            #expect(((try? pattern.wholeMatch(in: number)) != nil) == byRule, "\(number)")
        }
    }

    @Test("The longest tracking number, 64 characters, is fine")
    func longestTrackingNumber() {
        #expect(problems(NewShipment(trackingNumber: String(repeating: "9", count: 64))).isEmpty)
    }

    @Test("Carrier codes are lowercased; blank means none; unknown ones are refused")
    func carrier() throws {
        #expect(try NewShipment(trackingNumber: "A1", carrier: " UPS ").validated().carrier == "ups")
        #expect(try NewShipment(trackingNumber: "A1", carrier: "  ").validated().carrier == nil)
        #expect(fields(NewShipment(trackingNumber: "A1", carrier: "pigeon-post")) == ["carrier"])
    }

    @Test("Customer email is checked and its domain lowercased")
    func email() throws {
        let valid = try NewShipment(trackingNumber: "A1", customer: Customer(email: " Jane.Doe@Example.COM ")).validated()
        #expect(valid.customer.email == "Jane.Doe@example.com")
        #expect(try NewShipment(trackingNumber: "A1", customer: Customer(email: "")).validated().customer.email == nil)
        for bad in ["jane", "jane@localhost", "jane..doe@example.com", "jane doe@example.com"] {
            #expect(fields(NewShipment(trackingNumber: "A1", customer: Customer(email: bad))) == ["customer.email"], "\(bad)")
        }
    }

    @Test(
        "Phone numbers are normalised to E.164",
        arguments: [("+1 (415) 555-0123", "+14155550123"), ("+44 20 7946 0958", "+442079460958"), ("+49.30.123456", "+4930123456"), ("+1234567", "+1234567")]
    )
    func phoneNormalised(input: String, expected: String) throws {
        #expect(try NewShipment(trackingNumber: "A1", customer: Customer(phone: input)).validated().customer.phone == expected)
    }

    @Test("Phone numbers that are not international are refused", arguments: ["415-555-0123", "0044 20 7946 0958", "+123456", "+1234567890123456", "+1415abc0123", "++14155550123", "+1 415 555 0123 ext 5"])
    func phoneRejected(input: String) {
        #expect(fields(NewShipment(trackingNumber: "A1", customer: Customer(phone: input))) == ["customer.phone"])
    }

    @Test("Locales are matched to a supported language")
    func locale() throws {
        #expect(try NewShipment(trackingNumber: "A1", customer: Customer(locale: "de-AT")).validated().customer.locale == "de")
        #expect(try NewShipment(trackingNumber: "A1", customer: Customer(locale: "zh-CN")).validated().customer.locale == "zh-Hans")
        #expect(try NewShipment(trackingNumber: "A1", customer: Customer(locale: "pt_BR")).validated().customer.locale == "pt")
        #expect(fields(NewShipment(trackingNumber: "A1", customer: Customer(locale: "tlh"))) == ["customer.locale"])
        #expect(fields(NewShipment(trackingNumber: "A1", customer: Customer(locale: "zh-TW"))) == ["customer.locale"])
    }

    @Test("Country codes are uppercased; anything but two letters is refused")
    func country() throws {
        #expect(try NewShipment(trackingNumber: "A1", destination: Destination(country: "de")).validated().destination.country == "DE")
        #expect(try NewShipment(trackingNumber: "A1", destination: Destination(country: " gb ")).validated().destination.country == "GB")
        for bad in ["D1", "D", "É1", "Germany", "DEU"] {
            let found = fields(NewShipment(trackingNumber: "A1", destination: Destination(country: bad)))
            #expect(!found.isEmpty && found.allSatisfy { $0 == "destination.country" }, "\(bad)")
        }
    }

    @Test("Control characters inside text fields are refused")
    func controlCharacters() {
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: "1001\r\nBcc: evil@example.com")) == ["order_number"])
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: "1001\nBcc:")) == ["order_number"])
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: "10\u{0}01")) == ["order_number"])
        #expect(fields(NewShipment(trackingNumber: "A1", customer: Customer(name: "Jane\tDoe"))) == ["customer.name"])
        #expect(fields(NewShipment(trackingNumber: "A1", destination: Destination(city: "Paris\u{7F}"))) == ["destination.city"])
    }

    @Test("Text fields are trimmed and blank ones become nil")
    func trimsText() throws {
        let valid = try NewShipment(
            trackingNumber: "A1", orderNumber: "  #1001 ", customer: Customer(name: " Jane Doe "),
            destination: Destination(city: " Paris ", region: "   ", postalCode: " 75001 ")
        ).validated()
        #expect(valid.orderNumber == "#1001")
        #expect(valid.customer.name == "Jane Doe")
        #expect(valid.destination.city == "Paris")
        #expect(valid.destination.region == nil)
        #expect(valid.destination.postalCode == "75001")
    }

    @Test("Overlong text is refused with its field")
    func overlong() {
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: String(repeating: "1", count: 65))) == ["order_number"])
        #expect(fields(NewShipment(trackingNumber: "A1", destination: Destination(postalCode: String(repeating: "1", count: 17)))) == ["destination.postal_code"])
    }

    @Test("Metadata is limited in keys and sizes")
    func metadata() {
        let tooMany = Dictionary(uniqueKeysWithValues: (0...NewShipment.maxMetadataKeys).map { ("k\($0)", "v") })
        #expect(fields(NewShipment(trackingNumber: "A1", metadata: tooMany)) == ["metadata"])
        #expect(fields(NewShipment(trackingNumber: "A1", metadata: ["note": String(repeating: "x", count: 501)])) == ["metadata.note"])
        #expect(fields(NewShipment(trackingNumber: "A1", metadata: ["": "x"])) == ["metadata."])
        #expect(problems(NewShipment(trackingNumber: "A1", metadata: ["note": String(repeating: "x", count: 500)])).isEmpty)
    }

    @Test("Several problems are reported together, each with its field")
    func collectsProblems() {
        let shipment = NewShipment(
            trackingNumber: "", carrier: "pigeon", orderNumber: "1\r\n2",
            customer: Customer(email: "nope", phone: "12345", locale: "tlh"), destination: Destination(country: "D1"))
        let found = problems(shipment)
        #expect(found.map(\.field) == [
            "tracking_number", "carrier", "order_number", "customer.email", "customer.phone", "customer.locale", "destination.country",
        ])
        #expect(found.allSatisfy { !$0.reason.isEmpty })
        #expect(ValidationErrors(found).description.contains("customer.phone: must be an international number"))
    }

    @Test("A valid shipment keeps every normalised field")
    func validShipment() throws {
        let valid = try NewShipment(
            trackingNumber: "1z999aa10123456784", carrier: "UPS", orderNumber: "A-1001",
            customer: Customer(name: "Jane", email: "jane@Example.com", phone: "+1 415 555 0123", locale: "en-US"),
            destination: Destination(city: "London", postalCode: "SW1A 1AA", country: "gb"), metadata: ["sku": "42"]
        ).validated()
        #expect(valid == NewShipment(
            trackingNumber: "1Z999AA10123456784", carrier: "ups", orderNumber: "A-1001",
            customer: Customer(name: "Jane", email: "jane@example.com", phone: "+14155550123", locale: "en"),
            destination: Destination(city: "London", postalCode: "SW1A 1AA", country: "GB"), metadata: ["sku": "42"]))
    }

    @Test("Unicode line separators and bidi overrides count as control characters too")
    func unicodeLineBreaks() {
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: "1001\u{2028}Bcc: evil@example.com")) == ["order_number"])
        #expect(fields(NewShipment(trackingNumber: "A1", orderNumber: "1001\u{202E}gpj.exe")) == ["order_number"])
    }
}

@Test("A phone number's country code never starts with 0")
func phoneCountryCodeStartsWithADigitFromOneToNine() {
    #expect(throws: ValidationErrors.self) { try NewShipment(trackingNumber: "A1", customer: Customer(phone: "+0000000")).validated() }
    #expect(throws: ValidationErrors.self) { try NewShipment(trackingNumber: "A1", customer: Customer(phone: "+01555550123")).validated() }
    #expect((try? NewShipment(trackingNumber: "A1", customer: Customer(phone: "+44 20 7946 0958")).validated())?.customer.phone == "+442079460958")
}
