import Foundation
import WaymarkCore
import WaymarkProviders
import WaymarkSigning
import WaymarkWeb

/// The parsers that read bytes from outside, each as a function of one input, for libFuzzer
/// (`waymark-fuzz TARGET`, built by `scripts/fuzz`) and for the regression tests that replay the
/// inputs it found (`Tests/WaymarkFuzzTests`). A target must never crash or hang on any input;
/// where a parser promises more (the same rows whatever the chunks, a timestamp that reads back
/// as itself), the target checks that too and throws a `FuzzFinding` when the promise breaks.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Every provider adapter's `verify` and `decode`: the input is the body, and its first line,
    /// split at tabs, gives the values of the signature headers and Shippo's `?token=`.
    case providers
    /// Standard Webhooks: the input's lines are a secret, an id, a timestamp and a
    /// `webhook-signature` header; the rest is the body.
    case standardWebhooks = "standard-webhooks"
    /// Carrier detection from a typed tracking number.
    case trackingNumber = "tracking-number"
    /// The shipment CSV reader: read whole, and in two chunks split where the first byte says.
    case csvImport = "csv-import"
    /// `application/x-www-form-urlencoded` bodies: decoding, and encoding what was decoded.
    case form
    /// RFC 3339 timestamps and days: what parses formats back to the same instant and offset.
    case rfc3339
    /// A merchant template checked as every kind: email HTML, subject and text, SMS, page section
    /// (Mustache rules, libxml2's HTML parser, the link and CSS rules).
    case template
    /// A logo upload (the SVG check with libxml2's XML parser) and the branding's custom CSS.
    case branding

    /// Runs one input. Throws when a parser breaks a promise it makes; crashes are the sanitizer's.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        switch self {
        case .providers: ProviderFuzzing.run(input)
        case .standardWebhooks: StandardWebhooksFuzzing.run(input)
        case .trackingNumber: _ = CarrierDetector.detect(String(decoding: input, as: UTF8.self))
        case .csvImport: try CSVFuzzing.run(input)
        case .form: try FormFuzzing.run(String(decoding: input, as: UTF8.self))
        case .rfc3339: try RFC3339Fuzzing.run(String(decoding: input, as: UTF8.self))
        case .template: TemplateFuzzing.run(String(decoding: input, as: UTF8.self))
        case .branding: BrandingFuzzing.run(input)
        }
    }
}

/// A parser that broke a promise on an input, in words for whoever reads the fuzzer's report.
public struct FuzzFinding: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension [UInt8] {
    /// The lines of the input up to `count` of them, and the bytes after them.
    func leadingLines(_ count: Int) -> (lines: [String], rest: ArraySlice<UInt8>) {
        var lines: [String] = []
        var rest = self[...]
        while lines.count < count, let end = rest.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: rest[..<end], as: UTF8.self))
            rest = rest[(end + 1)...]
        }
        return (lines, rest)
    }
}
