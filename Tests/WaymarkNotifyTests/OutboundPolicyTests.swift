import Testing
import WaymarkNotify

@Suite("WAYMARK_OUTBOUND_ALLOW")
struct OutboundPolicyTests {
    @Test func emptyByDefault() throws {
        #expect(try OutboundPolicy(environment: [:]).allowedRanges.isEmpty)
        #expect(try OutboundPolicy(environment: ["WAYMARK_OUTBOUND_ALLOW": ""]).allowedRanges.isEmpty)
    }

    @Test func parsesIPv4AndIPv6Ranges() throws {
        let policy = try OutboundPolicy(environment: ["WAYMARK_OUTBOUND_ALLOW": " 127.0.0.0/8 , ,fd00::/8,10.1.2.3"])
        #expect(policy.allowedRanges.map(\.description) == ["127.0.0.0/8", "fd00::/8", "10.1.2.3/32"])
        #expect(policy.allows(.v4(0x7F00_0001)))
        #expect(!policy.allows(.v4(0x0A01_0204)))
        #expect(policy.allows(.v6(0xFD00 << 112 | 1)))
        #expect(!policy.allows(.v6(0xFC00 << 112 | 1)))
    }

    @Test func hostBitsAreCleared() throws {
        #expect(try CIDR(parsing: "10.9.8.7/8").description == "10.0.0.0/8")
        #expect(try CIDR(parsing: "2001:db8::1/32").description == "2001:db8::/32")
    }

    @Test("a bad CIDR is reported with the variable and the entry", arguments: [
        "10.0.0.0/33", "10.0.0/8", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "0177.0.0.1/8",
        "example.com/8", "1::2::3/64", "10.0.0.0/8/8", "256.0.0.0/8",
    ])
    func badCIDR(entry: String) {
        do {
            _ = try OutboundPolicy(allowList: "127.0.0.0/8,\(entry)")
            Issue.record("\(entry) was accepted")
        } catch {
            #expect(error.description.hasPrefix("WAYMARK_OUTBOUND_ALLOW: \"\(entry)\" is not a CIDR range:"))
            #expect(error.description.contains("write ranges like 10.0.0.0/8"))
        }
    }
}

@Suite("IP address text")
struct IPAddressTests {
    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("0:0:0:0:0:ffff:7f00:1", "::ffff:7f00:1"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("fe80::", "fe80::"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("::ffff:1.2.3.4", "::ffff:102:304"), ("93.184.216.34", "93.184.216.34"),
    ])
    func roundTrip(text: String, canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: ["", ":", ":::", "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3", "01.2.3.4", "1.2.3.4::", "::1.2.3.4:5"])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }
}
