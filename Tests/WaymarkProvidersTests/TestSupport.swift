import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

/// Fixture payloads written for these tests from the providers' documented fields.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// `shared/testdata`, beside the package root, as on every developer machine and in CI.
enum SharedTestData {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/testdata").standardized

    static func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}

/// A UTC instant from its components.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The bytes with one bit of the byte at `index` flipped.
func flipped(_ bytes: [UInt8], at index: Int) -> [UInt8] {
    var copy = bytes
    copy[index] ^= 0x01
    return copy
}

/// The text with the character at `offset` replaced by another one of the same alphabet.
func flipped(_ text: String, at offset: Int) -> String {
    var characters = Array(text)
    characters[offset] = characters[offset] == "a" ? "b" : "a"
    return String(characters)
}

/// The `InboundError` a call threw, or nil when it returned. Any other error fails the test.
func inboundError(_ work: () throws -> Void) -> InboundError? {
    do {
        try work()
        return nil
    } catch let error as InboundError {
        return error
    } catch {
        Issue.record("expected an InboundError or none, got \(error)")
        return nil
    }
}

func decodeError(_ adapter: any ProviderAdapter, _ body: String, headers: [String: String] = [:]) -> InboundError? {
    inboundError { _ = try adapter.decode(InboundRequest(body: bytes(body), headers: headers)) }
}

extension InboundError {
    enum Kind { case missingSignature, badSignature, staleTimestamp, notConfigured, malformed }

    var kind: Kind {
        switch self {
        case .missingSignature: .missingSignature
        case .badSignature: .badSignature
        case .staleTimestamp: .staleTimestamp
        case .notConfigured: .notConfigured
        case .malformed: .malformed
        }
    }
}

