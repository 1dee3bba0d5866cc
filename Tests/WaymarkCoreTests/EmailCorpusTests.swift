import Foundation
import Testing
import WaymarkCore

/// The isemail corpus (dominicsayers/isemail, BSD-3-Clause) in `../shared/testdata/isemail/tests.xml`.
///
/// Each `<test>` has an `<address>` (empty as `<address/>`), a `<category>` and a `<diagnosis>`.
/// What Waymark must do with each category:
///
/// - `ISEMAIL_VALID_CATEGORY` (diagnosis `ISEMAIL_VALID`) and `ISEMAIL_DNSWARN` (syntactically valid,
///   only the DNS lookup warns; Waymark does no DNS) must be **accepted** when the address is a
///   plain dot-atom with a dotted domain and no quoted string, comment or address literal.
///   `test@io` is valid for isemail but refused by design: a dotless domain is not deliverable.
/// - `ISEMAIL_ERR` must be **rejected**.
/// - Refused by design, because a shop's email must be deliverable through ordinary mail servers:
///   `ISEMAIL_RFC5321` (quoted local parts, address literals like `[255.255.255.255]`, dotless or
///   numeric top-level domains), `ISEMAIL_RFC5322` (valid only under RFC 5322: over-long parts,
///   domain literals, odd domain characters), `ISEMAIL_DEPREC` (obsolete syntax) and
///   `ISEMAIL_CFWS` comments. All of these must be **rejected**.
/// - White space around the input, including CR/LF (written in the corpus as the control
///   pictures U+240D and U+240A, decoded here to the real control characters as the file's notes
///   say), is trimmed by `EmailAddress` on purpose. A case whose only flaw is such white space at
///   its edges (CFWS_FWS, DEPREC_FWS and some ERR_FWS_CRLF_* / ERR_CR_NO_LF cases) must be treated
///   exactly as its trimmed form: here always `test@iana.org`, accepted without any of the white space.
enum IsEmailCorpus {
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // WaymarkCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/testdata/isemail/tests.xml")
        .standardizedFileURL

    /// Whether the corpus is present; prints a loud message when it is not, since the test is then skipped.
    static let isAvailable: Bool = {
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !exists {
            print("""
                ************************************************************************
                * SKIPPING the isemail corpus test: \(url.path) not found.
                * Check out ../shared/testdata next to the package to run it.
                ************************************************************************
                """)
        }
        return exists
    }()

    struct Case: Sendable, CustomStringConvertible {
        var id: String
        var address: String
        var category: String
        var diagnosis: String
        var description: String { "#\(id) \(category)/\(diagnosis) \(address.debugDescription)" }
    }

    enum Expectation: Equatable {
        case accept
        case reject
        /// Accepted, as this value (the address without the white space around it).
        case acceptAs(String)
    }

    static func load() throws -> [Case] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.components(separatedBy: "<test id=\"").dropFirst().map { block in
            let body = block.components(separatedBy: "</test>")[0]
            return Case(
                id: String(body.prefix { $0 != "\"" }),
                address: decode(element("address", in: body) ?? ""),
                category: element("category", in: body) ?? "",
                diagnosis: element("diagnosis", in: body) ?? "")
        }
    }

    static func element(_ name: String, in block: String) -> String? {
        if block.contains("<\(name)/>") { return "" }
        guard let open = block.range(of: "<\(name)>"),
              let close = block.range(of: "</\(name)>", range: open.upperBound..<block.endIndex)
        else { return nil }
        return String(block[open.upperBound..<close.lowerBound])
    }

    /// XML entities, then the corpus's convention: U+2400 + n stands for the ASCII control character n.
    static func decode(_ xml: String) -> String {
        var result = ""
        var rest = Substring(xml)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : UInt32(entity.dropFirst(), radix: 10)
                result.unicodeScalars.append(Unicode.Scalar(number ?? 0xFFFD) ?? "\u{FFFD}")
            }
            rest = rest[rest.index(after: semi)...]
        }
        result += rest
        return String(String.UnicodeScalarView(result.unicodeScalars.map { scalar in
            (0x2400...0x241F).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0x2400)! : scalar
        }))
    }

    static func isWhiteOrControl(_ character: Character) -> Bool {
        character.isWhitespace || character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    static func expectation(for test: Case) -> Expectation {
        let trimmed = String(test.address.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        if trimmed != test.address, !trimmed.isEmpty, !trimmed.contains(where: isWhiteOrControl) {
            return .acceptAs(trimmed)
        }
        switch test.category {
        case "ISEMAIL_VALID_CATEGORY", "ISEMAIL_DNSWARN":
            guard let at = test.address.lastIndex(of: "@") else { return .reject }
            let domain = test.address[test.address.index(after: at)...]
            let plain = domain.contains(".") && !test.address.contains { "\"()[]\\".contains($0) || isWhiteOrControl($0) }
            return plain ? .accept : .reject
        default:
            return .reject
        }
    }
}

@Suite("EmailAddress against the isemail corpus")
struct EmailCorpusTests {
    @Test(
        "Every isemail case is accepted or refused as Waymark's rules say",
        // Skipped (with a loud message on stdout) when ../shared/testdata is not checked out.
        .enabled(if: IsEmailCorpus.isAvailable, "../shared/testdata/isemail/tests.xml is missing")
    )
    func corpus() throws {
        let cases = try IsEmailCorpus.load()
        #expect(cases.count == 164)
        #expect(Set(cases.map(\.id)).count == cases.count)

        var counts: [String: Int] = [:]
        for test in cases {
            let expectation = IsEmailCorpus.expectation(for: test)
            let result = Result { () throws(EmailAddress.Invalid) in try EmailAddress(test.address) }
            switch (expectation, result) {
            case (.accept, .success(let email)):
                #expect(email.value == test.address, "\(test)")
                counts["accepted (valid)", default: 0] += 1
            case (.acceptAs(let trimmed), .success(let email)):
                #expect(email.value == trimmed, "\(test)")
                counts["accepted once trimmed", default: 0] += 1
            case (.reject, .failure):
                counts["rejected (\(test.category))", default: 0] += 1
            case (.accept, .failure(let error)), (.acceptAs, .failure(let error)):
                Issue.record("should be accepted: \(test) — \(error)")
            case (.reject, .success(let email)):
                Issue.record("should be rejected: \(test) — accepted as \(email.value.debugDescription)")
            }
        }

        // The corpus's plainly valid addresses and its clear errors are both present in number,
        // so the filter above cannot quietly skip everything.
        #expect(counts["accepted (valid)"] == 21)
        #expect(counts["rejected (ISEMAIL_ERR)"] == 50)
        #expect(counts["accepted once trimmed"] == 24)
        print("isemail corpus: \(cases.count) cases; " + counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
    }
}
