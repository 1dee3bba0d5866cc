import Testing
import WaymarkCore

@Suite("EmailAddress")
struct EmailAddressTests {
    @Test(
        "Common valid addresses are accepted unchanged",
        arguments: [
            "jane@example.com", "jane.doe+orders@shop.example.co.uk", "o'brien@example.ie", "user_name@sub-domain.example.com",
            "x@a.io", "1234@123.com", "customer-service@xn--bcher-kva.de", "a!#$%&'*+-/=?^_`{|}~@example.org",
        ]
    )
    func accepts(address: String) throws {
        #expect(try EmailAddress(address).value == address)
    }

    @Test("Only the domain is lowercased; the lookup key is lowercase throughout")
    func lowercasesDomainOnly() throws {
        let email = try EmailAddress("Jane.Doe@Example.COM")
        #expect(email.value == "Jane.Doe@example.com")
        #expect(email.description == "Jane.Doe@example.com")
        #expect(email.lookupKey == "jane.doe@example.com")
    }

    @Test("Surrounding white space is trimmed")
    func trims() throws {
        #expect(try EmailAddress("  jane@example.com \n").value == "jane@example.com")
    }

    @Test(
        "Unusable addresses are rejected",
        arguments: [
            "", "janeexample.com", "@example.com", "jane@", "jane..doe@example.com", ".jane@example.com", "jane.@example.com",
            "jane doe@example.com", "jane@exa mple.com", "jane@localhost", "jane@-example.com", "jane@example-.com",
            "jane@example..com", "jane@example.com.", "jane@.example.com", "jane@exa_mple.com", "jane@192.168.0.1",
            "jane@[192.168.0.1]", "\"jane\"@example.com", "(comment)jane@example.com", "jane@bücher.de", "jäne@example.com",
            "jane@exam@ple.com", "jane,doe@example.com", "jane\r\nBcc: x@example.com", "jane@example.com\r\nBcc: x@example.com",
        ]
    )
    func rejects(address: String) {
        #expect(throws: EmailAddress.Invalid.self) { try EmailAddress(address) }
    }

    @Test("The error names the input and a reason")
    func errorCarriesInput() {
        do throws(EmailAddress.Invalid) {
            _ = try EmailAddress("jane.example.com")
            Issue.record("expected a rejection")
        } catch {
            #expect(error.input == "jane.example.com")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("Length limits: 254 in all, 64 before the @, 63 per label")
    func lengthLimits() throws {
        let local64 = String(repeating: "l", count: 64)
        let domain189 = String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 61)
        let longest = local64 + "@" + domain189
        #expect(longest.count == 254)
        #expect(try EmailAddress(longest).value == longest)
        #expect(throws: EmailAddress.Invalid.self) { try EmailAddress(longest + "c") }
        #expect(throws: EmailAddress.Invalid.self) { try EmailAddress(local64 + "l@example.com") }
        #expect(throws: EmailAddress.Invalid.self) { try EmailAddress("jane@" + String(repeating: "a", count: 64) + ".com") }
        #expect(try EmailAddress("jane@" + String(repeating: "a", count: 63) + ".com").value.count == 72)
    }
}
