import Foundation

/// One carrier scan or status event, as the domain sees it: when it happened (with the local
/// offset where it happened), what it means in Waymark's status model, and a city-level place.
public struct CheckpointEvent: Hashable, Sendable {
    public var occurredAt: Date
    /// Offset from UTC, in seconds, of the place where the event happened; nil when unknown.
    public var utcOffsetSeconds: Int?
    public var status: DeliveryStatus
    public var substatus: Substatus?
    public var message: String
    public var location: Place
    /// Who reported it: `api`, `simulator`, `track123`, ...
    public var source: String
    /// The provider's own status code, kept verbatim for debugging.
    public var rawCode: String?

    public init(
        occurredAt: Date, utcOffsetSeconds: Int? = nil, status: DeliveryStatus, substatus: Substatus? = nil,
        message: String, location: Place = Place(), source: String, rawCode: String? = nil
    ) {
        self.occurredAt = occurredAt
        self.utcOffsetSeconds = utcOffsetSeconds
        self.status = status
        self.substatus = substatus
        self.message = message
        self.location = location
        self.source = source
        self.rawCode = rawCode
    }

    /// Identifies "the same checkpoint" across deliveries and providers: same instant (to the
    /// second), same status and substatus, same message. Whitespace and case in the message do not
    /// make a new checkpoint.
    public var fingerprint: String {
        let seconds = Int64(occurredAt.timeIntervalSince1970.rounded(.down))
        return "\(seconds)|\(substatus?.description ?? status.rawValue)|\(Self.normalized(message))"
    }

    /// `message` lowercased, its runs of whitespace made one space, trimmed. ASCII, which nearly
    /// every carrier writes, is done byte by byte in one pass; anything else the long way.
    static func normalized(_ message: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(message.utf8.count)
        var pendingSpace = false
        for byte in message.utf8 {
            switch byte {
            case 0x80...:
                return message.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            case 0x09...0x0D, 0x20:
                pendingSpace = !bytes.isEmpty
            default:
                if pendingSpace {
                    bytes.append(0x20)
                    pendingSpace = false
                }
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A city-level place. Never a street address: the shopper page shows these fields as they are.
public struct Place: Hashable, Codable, Sendable {
    public var city: String?
    public var region: String?
    /// ISO 3166-1 alpha-2, uppercase.
    public var country: String?

    public init(city: String? = nil, region: String? = nil, country: String? = nil) {
        self.city = city
        self.region = region
        self.country = country
    }

    public var isEmpty: Bool { city == nil && region == nil && country == nil }
}
