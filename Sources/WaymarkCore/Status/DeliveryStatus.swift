/// The one normalized status of a shipment. Every provider vocabulary maps onto these nine.
public enum DeliveryStatus: String, CaseIterable, Codable, Sendable, Comparable {
    case pending
    case infoReceived = "info_received"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case availableForPickup = "available_for_pickup"
    case attemptFail = "attempt_fail"
    case delivered
    case exception
    case expired

    /// How far along the journey a status is. Used only to break ties between checkpoints that
    /// carry the same event time, so that two events stamped in the same minute resolve to the
    /// more advanced one rather than whichever arrived last.
    public var progressRank: Int {
        switch self {
        case .pending: 0
        case .expired: 1
        case .infoReceived: 2
        case .inTransit: 3
        case .exception: 4
        case .attemptFail: 5
        case .outForDelivery: 6
        case .availableForPickup: 7
        case .delivered: 8
        }
    }

    /// A shipment in a final status no longer moves on its own (it may still receive events).
    public var isFinal: Bool { self == .delivered || self == .expired }

    public static func < (lhs: DeliveryStatus, rhs: DeliveryStatus) -> Bool {
        lhs.progressRank < rhs.progressRank
    }
}

/// A finer-grained reason inside a status, written `status.reason` in snake_case,
/// e.g. `delivered.left_with_neighbor` or `exception.customs_hold`.
public struct Substatus: Hashable, Codable, Sendable, CustomStringConvertible {
    public let status: DeliveryStatus
    public let reason: String

    public var description: String { "\(status.rawValue).\(reason)" }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case statusMismatch(expected: DeliveryStatus, got: String)

        public var description: String {
            switch self {
            case .malformed(let value):
                "substatus '\(value)' must look like 'status.reason' in lowercase snake_case, e.g. 'delivered.left_with_neighbor'"
            case .statusMismatch(let expected, let got):
                "substatus '\(got)' does not belong to status '\(expected.rawValue)'"
            }
        }
    }

    public init(status: DeliveryStatus, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// Parses `status.reason`; when `status` is given, the prefix must match it.
    public init(parsing text: String, for expected: DeliveryStatus? = nil) throws(ParseError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let status = DeliveryStatus(rawValue: String(parts[0])),
              Self.isSnakeCase(parts[1])
        else { throw .malformed(text) }
        if let expected, expected != status { throw .statusMismatch(expected: expected, got: text) }
        self.init(status: status, reason: String(parts[1]))
    }

    private static func isSnakeCase(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
