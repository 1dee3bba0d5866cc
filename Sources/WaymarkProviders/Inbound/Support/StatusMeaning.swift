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

/// A provider vocabulary of status families (`InTransit`) and finer codes (`InTransit_002`).
struct StatusVocabulary: Sendable {
    /// Family name → status.
    let families: [String: DeliveryStatus]
    /// Finer code → meaning; a code absent here means its family's status, without substatus.
    let codes: [String: StatusMeaning]

    /// The meaning of `code` in `family` (either may be nil): the code's own entry, else the
    /// family's status, else `StatusMeaning.unrecognized`.
    func meaning(code: String?, family: String?) -> StatusMeaning {
        if let code, let meaning = codes[code] { return meaning }
        if let family, let status = families[family] { return StatusMeaning(status) }
        if let code, let status = families[code] { return StatusMeaning(status) }
        return .unrecognized
    }
}
