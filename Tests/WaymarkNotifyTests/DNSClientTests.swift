import Foundation
import Testing
import WaymarkCore
@testable import WaymarkNotify

/// The TXT lookups that prove custom domains, against a real DNS server (dnslib, Peers/dns_peer.py).
@Suite(.enabled(if: DNSPeer.isAvailable, "python3 with dnslib is missing (pip install dnslib)"))
struct DNSClientTests {
    @Test func txtRecordsAreReadLongOnesJoinedAndCNAMEsFollowed() async throws {
        let long = "waymark-verification=" + String(repeating: "k", count: 400)
        let peer = try await DNSPeer(records: ["_waymark.track.acme.test": ["v=spf1 -all", long]], cnames: ["_waymark.shop.acme.test": "_waymark.track.acme.test"])
        defer { peer.stop() }
        let client = try #require(DNSClient.server("127.0.0.1:\(peer.port)").map { DNSClient(server: $0) })
        #expect(try await client.txtRecords(for: "_waymark.track.acme.test") == ["v=spf1 -all", long])
        #expect(try await client.txtRecords(for: "_waymark.Track.Acme.test.") == ["v=spf1 -all", long], "case and the root dot do not matter")
        #expect(try await client.txtRecords(for: "_waymark.shop.acme.test") == ["v=spf1 -all", long], "through the CNAME")
        #expect(try await client.txtRecords(for: "_waymark.nowhere.test").isEmpty, "NXDOMAIN is no record, not an error")

        let claim = DomainClaim(domain: "track.acme.test", token: String(repeating: "k", count: 400), createdAt: Date())
        #expect(await DomainProof.problem(with: claim, resolver: client) == nil)
        let other = DomainClaim(domain: "track.acme.test", token: "another-token-of-enough-length", createdAt: Date())
        #expect(await DomainProof.problem(with: other, resolver: client)?.contains("do not hold waymark-verification=another-token") == true)
    }

    @Test func aSilentOrTruncatingServerIsAnErrorThatSaysSo() async throws {
        let silent = try await DNSPeer(records: [:], extra: ["--silent"])
        defer { silent.stop() }
        let waiting = DNSClient(server: try #require(DNSClient.server("127.0.0.1:\(silent.port)")), timeout: .milliseconds(200), tries: 2)
        await #expect(throws: DNSError.noAnswer(server: "\(waiting.server)")) { try await waiting.txtRecords(for: "_waymark.track.acme.test") }
        let claim = DomainClaim(domain: "track.acme.test", token: "a-token-of-enough-length-here", createdAt: Date())
        #expect(await DomainProof.problem(with: claim, resolver: waiting)?.hasPrefix("the DNS lookup of _waymark.track.acme.test failed") == true)

        let truncating = try await DNSPeer(records: ["_waymark.track.acme.test": ["x"]], extra: ["--truncate"])
        defer { truncating.stop() }
        let client = DNSClient(server: try #require(DNSClient.server("127.0.0.1:\(truncating.port)")))
        await #expect(throws: DNSError.truncated) { try await client.txtRecords(for: "_waymark.track.acme.test") }
    }

    @Test func serverAddressesAndNamesAreChecked() throws {
        #expect(DNSClient.server("127.0.0.1")?.port == 53)
        #expect(DNSClient.server("127.0.0.1:5353")?.port == 5353)
        #expect(DNSClient.server("[::1]:5353")?.port == 5353)
        #expect(DNSClient.server("::1")?.port == 53)
        for bad in ["dns.example.com:53", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", ""] {
            #expect(DNSClient.server(bad) == nil, "\(bad)")
        }
        #expect(throws: DNSError.invalidServer("nameserver")) { try DNSClient.configured("nameserver") }
        #expect(throws: DNSError.invalidName("a..b")) { try DNSMessage.query(id: 1, name: "a..b", type: DNSMessage.txt) }
        #expect(throws: DNSError.invalidName(String(repeating: "a", count: 64) + ".test")) {
            try DNSMessage.query(id: 1, name: String(repeating: "a", count: 64) + ".test", type: DNSMessage.txt)
        }
    }

    @Test func answersThatDoNotAddUpAreRefusedNotTrusted() throws {
        let query = try DNSMessage.query(id: 0x1234, name: "_waymark.a.test", type: DNSMessage.txt)
        var answer = query
        answer[2] = 0x81; answer[3] = 0x80  // a response, no error
        answer[7] = 1  // one answer
        // The answer's name points back at the question (offset 12); TXT, IN, TTL, a length that runs past the end.
        answer += [0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 40, 3, 0x61, 0x62, 0x63]
        #expect(throws: DNSError.malformedAnswer("a record runs past the end")) { try DNSMessage.txtAnswers(in: answer, id: 0x1234) }
        #expect(throws: DNSError.malformedAnswer("another query's id")) { try DNSMessage.txtAnswers(in: answer, id: 0x4321) }
        answer[answer.count - 5] = 4  // the right length: "abc"
        #expect(try DNSMessage.txtAnswers(in: answer, id: 0x1234) == ["abc"])
        #expect(throws: DNSError.malformedAnswer("not a response")) { try DNSMessage.txtAnswers(in: query, id: 0x1234) }
        var failed = query
        failed[2] = 0x81; failed[3] = 0x82  // SERVFAIL
        #expect(throws: DNSError.serverFailure(rcode: 2)) { try DNSMessage.txtAnswers(in: failed, id: 0x1234) }
    }
}

/// A dnslib server (Peers/dns_peer.py) on 127.0.0.1 with a free port, for one test.
final class DNSPeer {
    static let isAvailable: Bool = {
        let available = (try? SMTPPeer.run(["python3", "-c", "import dnslib"])) == 0
        if !available {
            FileHandle.standardError.write(Data("⚠️  WaymarkNotifyTests: python3 with dnslib is missing (pip install dnslib): DNS peer tests are SKIPPED\n".utf8))
        }
        return available
    }()

    let port: Int
    private let process: Process
    private let directory: URL

    init(records: [String: [String]], cnames: [String: String] = [:], extra: [String] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dns-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let json = String(decoding: try JSONEncoder().encode(records), as: UTF8.self)
        (process, port) = try await PeerProcess.start(
            script: "dns_peer.py", directory: directory,
            arguments: ["--records", json] + cnames.flatMap { ["--cname", "\($0.key)=\($0.value)"] } + extra)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
