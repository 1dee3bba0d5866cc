import NIOCore
import Testing
import WaymarkNotify

@Suite("Send-time check")
struct SendTimeTests {
    @Test func nameResolvingToPrivateAddressIsRefused() async {
        let resolver = FakeResolver(answers: ["hooks.merchant.example": ["10.0.0.1"]])
        let result = await sendTimeResult("https://hooks.merchant.example/w", resolver: resolver)
        guard case .failure(let error) = result, case .refusedResolvedAddress(let host, let refusal) = error else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(host == "hooks.merchant.example")
        #expect(refusal.category == .privateNetwork)
        #expect(error.description.hasPrefix("the host hooks.merchant.example resolves to 10.0.0.1, a private network address;"))
    }

    @Test("one refused answer among public ones refuses the URL", arguments: [
        ["93.184.216.34", "10.0.0.1"],
        ["93.184.216.34", "169.254.169.254"],
        ["2606:2800:220:1:248:1893:25c8:1946", "::1"],
        ["93.184.216.34", "::ffff:127.0.0.1"],
        ["fd00::5"],
    ])
    func mixedAnswersRefused(answers: [String]) async {
        let resolver = FakeResolver(answers: ["hooks.merchant.example": answers])
        let result = await sendTimeResult("https://hooks.merchant.example/w", resolver: resolver)
        guard case .failure(.refusedResolvedAddress) = result else {
            Issue.record("\(answers): expected a refusal, got \(result)")
            return
        }
    }

    @Test func publicAnswersAreReturnedForTheCallerToConnectTo() async throws {
        let resolver = FakeResolver(answers: ["example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]])
        let destination = try await URLCheck().checkAtSendTime("https://example.com/hooks", resolver: resolver)
        #expect(destination.addresses.map(\.ipAddress) == ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
        #expect(destination.addresses.map(\.port) == [443, 443])
        #expect(destination.url.requestTarget == "/hooks")
    }

    @Test func literalNeedsNoLookup() async throws {
        let destination = try await URLCheck().checkAtSendTime("http://93.184.216.34:8080/", resolver: FakeResolver(answers: [:]))
        #expect(destination.addresses.map(\.ipAddress) == ["93.184.216.34"])
        #expect(destination.addresses.map(\.port) == [8080])
    }

    @Test func allowPolicyAppliesToResolvedAddresses() async throws {
        let policy = try OutboundPolicy(allowList: "10.0.0.0/8")
        let resolver = FakeResolver(answers: ["receiver.internal": ["10.0.0.7"]])
        let destination = try await URLCheck(policy: policy).checkAtSendTime("http://receiver.internal/", resolver: resolver)
        #expect(destination.addresses.map(\.ipAddress) == ["10.0.0.7"])
    }

    @Test func saveTimeRulesApplyBeforeAnyLookup() async {
        // The fake resolver would answer with a public address; the name must never reach it.
        let resolver = FakeResolver(answers: ["localhost": ["93.184.216.34"], "api.localhost": ["93.184.216.34"]])
        for url in ["http://localhost/", "http://api.localhost/"] {
            guard case .failure(.localHostName) = await sendTimeResult(url, resolver: resolver) else {
                Issue.record("\(url) reached the resolver")
                continue
            }
        }
        guard case .failure(.refusedAddress) = await sendTimeResult("http://0x7f.1/", resolver: resolver) else {
            Issue.record("an IP literal was not checked at send time")
            return
        }
    }

    @Test func lookupFailuresAreReported() async {
        let failing = await sendTimeResult("https://unknown.example/", resolver: FakeResolver(answers: [:]))
        guard case .failure(.resolutionFailed(host: "unknown.example", reason: _)) = failing else {
            Issue.record("expected resolutionFailed, got \(failing)")
            return
        }
        let empty = await sendTimeResult("https://empty.example/", resolver: FakeResolver(answers: ["empty.example": []]))
        #expect(empty.failure == .noAddresses(host: "empty.example"))
    }

    @Test func liveResolverRefusesLocalhostByName() async {
        let result = await sendTimeResult("http://localhost:8080/hook", resolver: SystemResolver())
        #expect(result.failure == .localHostName("localhost"))
    }

    @Test func liveResolverAnswersForLocalhostAreRefusedToo() async throws {
        // If the name rule were ever bypassed, the addresses /etc/hosts gives must still fail.
        let answers = try await SystemResolver().resolve(host: "localhost", port: 80)
        #expect(!answers.isEmpty)
        for answer in answers {
            let address = try #require(answer.ipAddress.flatMap { IPAddress($0) })
            #expect(URLCheck().refusal(for: address)?.category == .loopback)
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
