import WaymarkCore

/// What a provider's status code means in Waymark's status model.
struct StatusMeaning: Equatable, Sendable, CustomStringConvertible {
    var status: DeliveryStatus
    var substatus: Substatus?

    init(_ status: DeliveryStatus, _ reason: String? = nil) {
        self.status = status
        self.substatus = reason.map { Substatus(status: status, reason: $0) }
    }

    var description: String { substatus?.description ?? status.rawValue }

    /// The unknown-status policy, for every provider: a code that belongs to no known family
    /// (a provider's new vocabulary, a typo) still describes a real scan, so the checkpoint is
    /// kept, with its raw code, as `in_transit`: the status that claims least. It neither ends the
    /// journey (delivered, expired) nor raises an alarm (exception, attempt_fail) on a guess, and
    /// it is what the parcel most likely is while carriers still report on it.
    static let unrecognized = StatusMeaning(.inTransit)
}

/// The provider's own code as a checkpoint keeps it. Providers that send a status and a detail
/// in separate fields (EasyPost, Shippo) are kept as `status/detail`.
enum RawCode {
    static func joined(_ status: String?, _ detail: String?) -> String? {
        let parts = [status, detail].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}

/// A table of provider codes, read without regard to case or separators: providers and their
/// examples write the same code as `Delivered`, `DELIVERED`, `delivered`, `IN_TRANSIT` or
/// `in-transit`. Keys and look-ups both go through `key(_:)`.
struct CodeTable<Value: Sendable>: Sendable, ExpressibleByDictionaryLiteral {
    private(set) var entries: [String: Value] = [:]

    init(dictionaryLiteral elements: (String, Value)...) {
        self.init(uniqueKeysWithValues: elements)
    }

    init(uniqueKeysWithValues elements: some Sequence<(String, Value)>) {
        for (code, value) in elements { entries[Self.key(code)] = value }
    }

    var values: Dictionary<String, Value>.Values { entries.values }

    subscript(code code: String?) -> Value? {
        guard let code else { return nil }
        return entries[Self.key(code)]
    }

    /// ASCII letters in lowercase, digits, nothing else: `Delivered_001` and `DELIVERED-001` are
    /// both `delivered001`.
    static func key(_ code: String) -> String {
        var key = ""
        key.unicodeScalars.reserveCapacity(code.unicodeScalars.count)
        for scalar in code.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                key.unicodeScalars.append(scalar)
            } else if ("A"..."Z").contains(scalar), let lower = Unicode.Scalar(scalar.value + 32) {
                key.unicodeScalars.append(lower)
            }
        }
        return key
    }
}

/// A provider vocabulary of status families (`InTransit`) and finer codes (`InTransit_002`).
struct StatusVocabulary: Sendable {
    /// Family name → status.
    let families: CodeTable<DeliveryStatus>
    /// Finer code → meaning; a code absent here means its family's status, without substatus.
    let codes: CodeTable<StatusMeaning>
    /// Family keys, longest first, for finding the family a finer code begins with.
    private let familyKeysByLength: [String]

    init(families: CodeTable<DeliveryStatus>, codes: CodeTable<StatusMeaning>) {
        self.families = families
        self.codes = codes
        familyKeysByLength = families.entries.keys.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// The meaning of `code` in `family` (either may be nil): the code's own entry; else the
    /// family's status, the family being the one named (`transitStatus`, a checkpoint's `tag`),
    /// else the code itself when it is a family's name, else the family the code begins with
    /// (`Delivered_009` → `Delivered`); else `StatusMeaning.unrecognized`.
    func meaning(code: String?, family: String?) -> StatusMeaning {
        if let meaning = codes[code: code] { return meaning }
        if let status = families[code: family] ?? code.flatMap(familyStatus(of:)) { return StatusMeaning(status) }
        return .unrecognized
    }

    /// The status of the family `code` names or begins with.
    func familyStatus(of code: String) -> DeliveryStatus? {
        let key = CodeTable<DeliveryStatus>.key(code)
        if let status = families.entries[key] { return status }
        return familyKeysByLength.first { key.hasPrefix($0) }.flatMap { families.entries[$0] }
    }
}
