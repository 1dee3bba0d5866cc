import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkProviders
@testable import WaymarkWeb
import WaymarkSigning

/// Signs a body for one provider the way that provider signs, with the credentials
/// `configure(_:)` gives the fixture's `acme` tenant.
struct ProviderSigner {
    static let secret = "sweep-webhook-secret"
    static let apiKey = "sweep-api-key"
    let waymarkSecret = StandardWebhooks.generateSecret()

    func configure(_ fixture: Fixture) async throws {
        for provider in ProviderName.allCases {
            let secret = provider == .waymark ? waymarkSecret : Self.secret
            _ = try await fixture.database.setProviderAccount(
                tenantID: fixture.acme.tenant.id, provider: provider.rawValue, secret: secret, apiKey: Self.apiKey, register: nil)
        }
    }

    /// The URI and headers of a correctly signed request carrying `body`, at the app's pinned now.
    func request(_ provider: ProviderName, body: [UInt8]) throws -> (uri: String, headers: HTTPFields) {
        var uri = "/hooks/\(provider.rawValue)/acme"
        var headers: HTTPFields = [.contentType: "application/json"]
        func set(_ name: String, _ value: String) { headers[HTTPField.Name(name)!] = value }
        switch provider {
        case .track123:
            let timestamp = String(Int64(Fixture.now.timeIntervalSince1970 * 1000))
            set("X-Track123-Timestamp", timestamp)
            set("X-Track123-Signature", hex(HMAC<SHA256>.authenticationCode(for: Data(timestamp.utf8), using: key(Self.apiKey))))
        case .aftership:
            set("aftership-hmac-sha256", Data(HMAC<SHA256>.authenticationCode(for: body, using: key(Self.secret))).base64EncodedString())
        case .seventeenTrack:
            set("sign", hex(SHA256.hash(data: body + Array("/\(Self.apiKey)".utf8))))
        case .easypost:
            let nfkd = Self.secret.decomposedStringWithCompatibilityMapping
            set("X-Hmac-Signature", "hmac-sha256-hex=" + hex(HMAC<SHA256>.authenticationCode(for: body, using: key(nfkd))))
        case .shippo:
            uri += "?token=\(Self.secret)"
        case .waymark:
            for (name, value) in try StandardWebhooks(secret: waymarkSecret).headers(id: "msg_sweep", timestamp: Fixture.now, body: body) {
                set(name, value)
            }
        }
        return (uri, headers)
    }

    private func key(_ text: String) -> SymmetricKey { SymmetricKey(data: Data(text.utf8)) }
    private func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Whatever a provider sends, validly signed, a hook answers with a 2xx or a 4xx in JSON and a
/// one-line reason: never a 5xx, never an HTML page (a provider retries a 5xx for days).
@Suite struct ProviderHookSweepTests {
    /// The providers' fixture bodies from the adapter tests, each a well-formed starting point.
    static let seeds: [(ProviderName, String)] = [
        (.track123, "track123-flat.json"), (.track123, "track123-data.json"), (.aftership, "aftership-tracking-update.json"),
        (.seventeenTrack, "seventeentrack-updated.json"), (.easypost, "easypost-tracker-updated.json"),
        (.shippo, "shippo-track-updated.json"), (.waymark, "waymark-feed.json"),
    ]

    static func seed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent("Tests/WaymarkProvidersTests/Fixtures/\(name)")))
    }

    /// Values of other types (and hostile ones) put in place of each field in turn.
    static var replacements: [Any] { [
        NSNull(), [Any](), [String: Any](), -1, 1e308, true, "", "\u{0}\u{202E}x", String(repeating: "9", count: 5_000),
        "2026-02-30T25:61:00+99:00", "SHIPPO_DELIVERED", "Delivered_999",
    ] }

    /// Every variant of one well-formed body: each field replaced by each replacement, each field
    /// removed, and the body cut short at several places.
    static func variants(of body: [UInt8]) throws -> [[UInt8]] {
        let root = try JSONSerialization.jsonObject(with: Data(body))
        var results: [[UInt8]] = []
        func serialize(_ value: Any) {
            if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) { results.append(Array(data)) }
        }
        // Every path to a value in the document.
        func paths(_ value: Any, _ prefix: [PathStep]) -> [[PathStep]] {
            var found: [[PathStep]] = [prefix]
            if let object = value as? [String: Any] {
                for (key, child) in object { found += paths(child, prefix + [.key(key)]) }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() { found += paths(child, prefix + [.index(index)]) }
            }
            return found
        }
        for path in paths(root, []) where !path.isEmpty {
            for replacement in replacements { serialize(replacing(root, at: path[...], with: replacement)) }
            serialize(replacing(root, at: path[...], with: nil))
        }
        for cut in stride(from: 0, to: body.count, by: max(1, body.count / 12)) { results.append(Array(body[..<cut])) }
        return results
    }

    enum PathStep { case key(String), index(Int) }

    /// `value` with the element at `path` replaced (nil: removed).
    static func replacing(_ value: Any, at path: ArraySlice<PathStep>, with replacement: Any?) -> Any {
        guard let step = path.first else { return replacement ?? NSNull() }
        switch step {
        case .key(let key):
            guard var object = value as? [String: Any], let child = object[key] else { return value }
            object[key] = path.count == 1 ? replacement : replacing(child, at: path.dropFirst(), with: replacement)
            return object
        case .index(let index):
            guard var array = value as? [Any], array.indices.contains(index) else { return value }
            if path.count == 1, replacement == nil { array.remove(at: index) } else {
                array[index] = path.count == 1 ? replacement ?? NSNull() : replacing(array[index], at: path.dropFirst(), with: replacement)
            }
            return array
        }
    }

    /// Bodies of no provider's shape at all.
    static let strangers: [[UInt8]] = [
        [], Array("{".utf8), Array("null".utf8), Array("[]".utf8), Array("123".utf8), Array("\"text\"".utf8), Array("{}".utf8),
        Array(#"{"unexpected": {"shape": [1, 2, 3]}}"#.utf8), Array(#"{"data": []}"#.utf8), Array(#"{"data": null, "msg": null}"#.utf8),
        [0xFF, 0xFE, 0x00, 0x7B], Array("<xml>not json</xml>".utf8),
        Array((String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)).utf8),
        Array((String(repeating: #"{"a":"#, count: 2_000) + "1" + String(repeating: "}", count: 2_000)).utf8),
    ]

    func sweep(_ provider: ProviderName, bodies: [[UInt8]]) async throws -> (sent: Int, statuses: [Int: Int]) {
        let fixture = try await Fixture.make()
        let signer = ProviderSigner()
        try await signer.configure(fixture)
        let statuses = try await fixture.app().test(.router) { client in
            var statuses: [Int: Int] = [:]
            for body in bodies {
                let (uri, headers) = try signer.request(provider, body: body)
                let code = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { response in
                    #expect(response.status.code < 500, "\(provider.rawValue): \(response.status) for \(String(decoding: body.prefix(300), as: UTF8.self)): \(response.text)")
                    let type = response.headers[.contentType] ?? ""
                    #expect(type.contains("json"), "\(provider.rawValue): a \(response.status) answer must be JSON, was \(type)")
                    if response.status.code >= 400 {
                        #expect(!response.text.contains("\n"), "one line: \(response.text)")
                    }
                    return Int(response.status.code)
                }
                statuses[code, default: 0] += 1
            }
            return statuses
        }
        return (bodies.count, statuses)
    }

    @Test(arguments: ProviderName.allCases)
    func malformedTruncatedWrongTypedAndStrangeBodiesAreNever5xx(_ provider: ProviderName) async throws {
        var bodies = Self.strangers
        for (seedProvider, name) in Self.seeds where seedProvider == provider { bodies += try Self.variants(of: Self.seed(name)) }
        let (sent, statuses) = try await sweep(provider, bodies: bodies)
        print("hook sweep \(provider.rawValue): \(sent) signed bodies, answers \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))")
        #expect(statuses.keys.contains(400), "the sweep must include bodies that are refused")
    }

    @Test(arguments: ProviderName.allCases)
    func anOversizedBodyIs413InJSON(_ provider: ProviderName) async throws {
        let body = Array(#"{"padding": ""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: HooksController.maxBody) + Array(#""}"#.utf8)
        let (_, statuses) = try await sweep(provider, bodies: [body])
        #expect(statuses == [413: 1])
    }
}
