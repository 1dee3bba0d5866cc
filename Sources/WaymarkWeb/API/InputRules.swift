import Foundation
import WaymarkCore

/// The exact shape rules of API input strings. The same pattern text is compiled here to check
/// requests and written into the OpenAPI document, so what the document promises and what the
/// server accepts cannot drift apart (schemathesis checks both directions).
enum InputRules {
    /// The schema's pattern for free text, written from the same ranges the server checks.
    static var textPattern: String {
        func point(_ value: UInt32) -> String {
            let hex = String(value, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        func characterClass(_ ranges: [ClosedRange<UInt32>]) -> String {
            ranges.map { $0.lowerBound == $0.upperBound ? point($0.lowerBound) : point($0.lowerBound) + "-" + point($0.upperBound) }.joined()
        }
        let inner = characterClass(TextCharacters.forbidden)
        let edge = inner + characterClass(TextCharacters.edgeSpace)
        return "^[^\(edge)]([^\(inner)]*[^\(edge)])?$"
    }

    /// Free text as `textPattern` describes it, checked scalar by scalar.
    static func isText(_ value: String) -> Bool {
        let scalars = value.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        return !TextCharacters.isEdgeSpace(first) && !TextCharacters.isEdgeSpace(last) && !scalars.contains(where: TextCharacters.isForbidden)
    }

    struct Rule: @unchecked Sendable {
        let pattern: String
        let maxLength: Int
        let explanation: String
        let matches: @Sendable (String) -> Bool

        /// A rule whose pattern is simple enough (ASCII classes) for Swift's `Regex` to check as is.
        init(_ pattern: String, maxLength: Int, explanation: String) {
            // A compiled Regex is never mutated after this point and matching leaves it as it is,
            // so sharing it between concurrent requests is safe.
            nonisolated(unsafe) let regex = try? Regex(pattern).matchingSemantics(.unicodeScalar)
            self.init(pattern, maxLength: maxLength, explanation: explanation) { value in
                regex.map { (try? $0.wholeMatch(in: value)) != nil } ?? false
            }
        }

        init(_ pattern: String, maxLength: Int, explanation: String, matches: @escaping @Sendable (String) -> Bool) {
            self.pattern = pattern
            self.maxLength = maxLength
            self.explanation = explanation
            self.matches = matches
        }

        /// Why `value` breaks the rule, or nil.
        func problem(_ value: String) -> String? {
            if value.unicodeScalars.count > maxLength { return "must be at most \(maxLength) characters" }
            guard matches(value) else {
                return value.isEmpty ? "must not be empty; leave the field out or send null" : explanation
            }
            return nil
        }
    }

    static let textExplanation = "must not contain control or invisible formatting characters, nor start or end with a space"
    static func text(maxLength: Int) -> Rule {
        Rule(textPattern, maxLength: maxLength, explanation: textExplanation, matches: isText)
    }

    /// `TrackingNumber`'s rule, as the text arrives (spaces included).
    static let trackingNumber = Rule(
        TrackingNumber.pattern, maxLength: TrackingNumber.maxLength,
        explanation: "must be letters, digits, spaces and the separators \(TrackingNumber.separatorList), starting with a letter or digit")
    static let orderNumber = text(maxLength: 64)
    static let name = text(maxLength: 200)
    static let place = text(maxLength: 100)
    static let postalCode = text(maxLength: 16)
    static let message = text(maxLength: 500)
    static let country = Rule(#"^[A-Za-z]{2}$"#, maxLength: 2, explanation: "must be a two-letter ISO 3166 country code like DE")
    static let phone = Rule(#"^\+[1-9][0-9]{6,14}$"#, maxLength: 16, explanation: "must be an international number like +14155550123 (E.164, no spaces)")
    static let email = Rule(
        #"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#,
        maxLength: 254, explanation: "must be an email address like jane@example.com")
    static let day = Rule(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, maxLength: 10, explanation: "must be a date like 2026-12-24")
    static let timestamp = Rule(
        #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))$"#, maxLength: 40,
        explanation: "must be an RFC 3339 time like 2026-11-27T09:30:00+01:00")
    static let substatus = Rule(
        #"^[a-z_]+\.[a-z][a-z0-9_]{0,63}$"#, maxLength: 100, explanation: "must look like 'status.reason', e.g. delivered.left_with_neighbor")
    static let metadataKey = Rule(#"^[\s\S]+$"#, maxLength: 40, explanation: "must be 1 to 40 characters")
    static let metadataValue = Rule(#"^[\s\S]*$"#, maxLength: 500, explanation: "must be at most 500 characters")

    /// Placeholders in `Resources/openapi.json` and their values.
    static var schemaPlaceholders: [String: String] {
        [
            "__TEXT__": textPattern, "__TRACKING_NUMBER__": trackingNumber.pattern, "__COUNTRY__": country.pattern,
            "__PHONE__": phone.pattern, "__EMAIL__": email.pattern, "__DAY__": day.pattern,
            "__TIMESTAMP__": timestamp.pattern, "__SUBSTATUS__": substatus.pattern,
        ]
    }

    /// Collects rule problems for the fields present in a request.
    struct Check {
        var problems: [ValidationError] = []

        mutating func field(_ name: String, _ value: String?, _ rule: Rule) {
            guard let value else { return }
            if let reason = rule.problem(value) { problems.append(.init(reason, field: name)) }
        }

        mutating func metadata(_ metadata: [String: String]?) {
            for (key, value) in metadata ?? [:] {
                if let reason = metadataKey.problem(key) { problems.append(.init("key " + reason, field: "metadata")) }
                if let reason = metadataValue.problem(value) { problems.append(.init(reason, field: "metadata.\(key.prefix(40))")) }
            }
        }

        func finish() throws(ValidationErrors) {
            if !problems.isEmpty { throw ValidationErrors(problems) }
        }

        /// Runs the domain validation too and reports everything at once: shape problems from
        /// here, plus the domain's problems with the other fields.
        func finish<T>(then validate: () throws(ValidationErrors) -> T) throws(ValidationErrors) -> T {
            guard !problems.isEmpty else { return try validate() }
            let reported = Set(problems.compactMap(\.field))
            var all = problems
            if case .failure(let domain) = Result(catching: validate) {
                all += domain.problems.filter { !reported.contains($0.field ?? "") }
            }
            throw ValidationErrors(all)
        }
    }
}
