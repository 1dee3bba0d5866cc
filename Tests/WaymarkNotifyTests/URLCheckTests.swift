import Testing
import WaymarkNotify

@Suite("Save-time URL check")
struct URLCheckTests {
    static let refusedSpellings: [(String, AddressCategory)] = [
        ("http://127.0.0.1/hook", .loopback),
        ("https://127.0.0.1:8443/hook", .loopback),
        ("http://127.0.0.1./", .loopback),
        ("http://127.1/", .loopback),
        ("http://2130706433/", .loopback),
        ("http://0177.0.0.1/", .loopback),
        ("http://017700000001/", .loopback),
        ("http://0x7f.0.0.1/", .loopback),
        ("http://0X7F.1/", .loopback),
        ("http://0x7f000001/", .loopback),
        ("http://[::1]/", .loopback),
        ("http://[0:0:0:0:0:0:0:1]:8080/", .loopback),
        ("http://[::ffff:127.0.0.1]/", .loopback),
        ("http://[::ffff:7f00:1]/", .loopback),
        ("http://[0:0:0:0:0:ffff:127.0.0.1]/", .loopback),
        ("http://[::127.0.0.1]/", .loopback),
        ("http://[64:ff9b::10.0.0.1]/", .privateNetwork),
        ("http://[64:ff9b::a9fe:a9fe]/", .linkLocal),
        ("http://[2002:c0a8:101::1]/", .privateNetwork),
        ("http://[2002:7f00:1::]/", .loopback),
        ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", .loopback),
        ("http://10.0.0.1/", .privateNetwork),
        ("http://10.1/", .privateNetwork),
        ("http://012.0.0.1/", .privateNetwork),
        ("http://172.16.0.1/", .privateNetwork),
        ("http://172.31.255.255/", .privateNetwork),
        ("http://192.168.1.1/", .privateNetwork),
        ("http://0xc0a80101/", .privateNetwork),
        ("http://169.254.169.254/latest/meta-data/", .linkLocal),
        ("http://2852039166/", .linkLocal),
        ("http://0xa9.0xfe.0xa9.0xfe/", .linkLocal),
        ("http://[::ffff:169.254.169.254]/", .linkLocal),
        ("http://[fe80::1]/", .linkLocal),
        ("http://[febf:ffff::1]/", .linkLocal),
        ("http://100.64.0.1/", .sharedCGNAT),
        ("http://100.127.255.254/", .sharedCGNAT),
        ("http://0.0.0.0/", .unspecified),
        ("http://0/", .unspecified),
        ("http://0.1.2.3/", .unspecified),
        ("http://[::]/", .unspecified),
        ("http://224.0.0.1/", .multicast),
        ("http://239.255.255.250/", .multicast),
        ("http://[ff02::1]/", .multicast),
        ("http://255.255.255.255/", .broadcast),
        ("http://0xffffffff/", .broadcast),
        ("http://[fc00::1]/", .uniqueLocal),
        ("http://[fd12:3456:789a::1]/", .uniqueLocal),
        ("http://198.18.0.1/", .benchmarking),
        ("http://198.19.255.255/", .benchmarking),
        ("http://192.0.2.1/", .documentation),
        ("http://198.51.100.7/", .documentation),
        ("http://203.0.113.9/", .documentation),
        ("http://[2001:db8::1]/", .documentation),
        ("http://192.0.0.8/", .ietfProtocolAssignment),
        ("http://240.0.0.1/", .reserved),
        ("http://[::ffff:240.0.0.1]/", .reserved),
    ]

    @Test("every spelling of a refused address is refused", arguments: refusedSpellings)
    func refusedSpelling(url: String, category: AddressCategory) {
        let error = saveTimeError(url)
        #expect(error?.refusedCategory == category, "\(url): \(String(describing: error))")
    }

    @Test("public addresses and names pass", arguments: [
        "http://93.184.216.34/",
        "https://93.184.216.34:8443/hooks?x=1",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hooks",
        "http://[::ffff:93.184.216.34]/",
        "https://example.com/hooks/waymark",
        "HTTPS://Example.COM./hooks",
        "http://172.32.0.1/",
        "http://100.128.0.1/",
    ])
    func publicPasses(url: String) {
        #expect(saveTimeError(url) == nil)
    }

    @Test func parsedParts() throws {
        let url = try URLCheck().checkAtSaveTime("HTTPS://Hooks.Example.com:8443/a/b?c=d#frag")
        #expect(url.scheme == "https")
        #expect(url.host == .name("hooks.example.com"))
        #expect(url.port == 8443)
        #expect(url.requestTarget == "/a/b?c=d")

        let literal = try URLCheck().checkAtSaveTime("http://[2606:2800:220:1:248:1893:25c8:1946]")
        #expect(literal.host == .address(.v6(0x2606_2800_0220_0001_0248_1893_25C8_1946)))
        #expect(literal.port == 80)
        #expect(literal.requestTarget == "/")
    }

    @Test("localhost is refused by name", arguments: [
        "http://localhost/", "http://LOCALHOST:8080/", "http://localhost./", "http://api.localhost/", "http://a.b.localhost/",
    ])
    func localhostRefused(url: String) {
        guard case .localHostName = saveTimeError(url) else {
            Issue.record("\(url) was not refused as localhost")
            return
        }
    }

    @Test("non-http schemes are refused", arguments: [
        "ftp://example.com/", "file:///etc/passwd", "gopher://example.com:70/_x", "javascript:alert(1)",
        "data:text/html,hi", "ws://example.com/", "dict://example.com:11211/",
    ])
    func schemeRefused(url: String) {
        let error = saveTimeError(url)
        guard case .unsupportedScheme = error else {
            Issue.record("\(url): \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("use an http:// or https:// URL") == true)
    }

    @Test("userinfo is refused", arguments: [
        "http://user:pass@example.com/", "http://user@example.com/", "http://example.com@127.0.0.1/", "https://:@example.com/",
    ])
    func userinfoRefused(url: String) {
        #expect(saveTimeError(url) == .userinfoNotAllowed)
    }

    @Test("malformed URLs and hosts are refused, never looked up as names", arguments: [
        "", "example.com/hook", "http:/example.com", "http://", "http:///path", "http://:80/",
        "http://256.0.0.1/", "http://1.2.3.4.5/", "http://0x100000000/", "http://99999999999/",
        "http://%31%32%37.0.0.1/", "http://[fe80::1%25eth0]/", "http://[::1/", "http://[1::2::3]/",
        "http://exa mple.com/", "http://example.com\\@127.0.0.1/", "http://example.com:0/",
        "http://example.com:65536/", "http://example.com:8o/", "http://ex..ample.com/", "http://１２７.0.0.1/",
    ])
    func malformedRefused(url: String) {
        #expect(saveTimeError(url) != nil, "\(url) was accepted")
    }

    @Test func messageSaysWhatAndHow() {
        #expect(saveTimeError("http://127.0.0.1/")?.description ==
            "the host 127.0.0.1 is a loopback address; URLs Waymark calls must reach the public internet "
            + "(an operator can allow ranges with WAYMARK_OUTBOUND_ALLOW)")
        let decimal = saveTimeError("http://2130706433/")?.description ?? ""
        #expect(decimal.hasPrefix("the host 2130706433 is 127.0.0.1, a loopback address;"))
        let mapped = saveTimeError("http://[::ffff:7f00:1]/")?.description ?? ""
        #expect(mapped.hasPrefix("the host [::ffff:7f00:1] is ::ffff:7f00:1, which carries 127.0.0.1, a loopback address;"))
    }

    @Test func allowPolicyOpensRanges() throws {
        let policy = try OutboundPolicy(allowList: "127.0.0.0/8, fd00::/8")
        for url in ["http://127.0.0.1:9000/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://[fd12::1]/"] {
            #expect(saveTimeError(url, policy: policy) == nil, "\(url)")
        }
        for url in ["http://10.0.0.1/", "http://[::1]/", "http://[fc00::1]/", "http://169.254.169.254/"] {
            #expect(saveTimeError(url, policy: policy) != nil, "\(url)")
        }
        guard case .localHostName = saveTimeError("http://localhost/", policy: policy) else {
            Issue.record("localhost must stay refused by name; allow its address instead")
            return
        }
    }
}
