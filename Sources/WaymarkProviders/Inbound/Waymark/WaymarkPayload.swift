import Foundation
import WaymarkCore

/// Waymark's generic inbound format, for merchants' own carrier feeds: `{tracking_number,
/// carrier?, eta?, events[]{occurred_at, status, substatus?, message, location{city, region,
/// country}}}`. Being Waymark's own format it is read strictly: a wrong status or a time without
/// an offset is refused with the field's path, so the merchant can fix the feed.
struct WaymarkPayload: Decodable {
    var trackingNumber: String?
    var carrier: String?
    /// An optional estimated delivery day, `2026-07-03` or a full time.
    var eta: EventTime?
    var events: [Event]

    struct Event: Decodable {
        var time: EventTime
        var meaning: StatusMeaning
        var message: String
        var place: Place

        enum CodingKeys: String, CodingKey { case occurredAt = "occurred_at", status, substatus, message, location }

        static let statuses = CodeTable(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0.rawValue, $0) })
        enum LocationKeys: String, CodingKey { case city, region, country }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard let time = try container.eventTime(.occurredAt) else {
                throw DecodingError.keyNotFound(CodingKeys.occurredAt, .init(codingPath: container.codingPath, debugDescription: "required"))
            }
            guard time.utcOffsetSeconds != nil else {
                throw JSONPayload.unreadable(
                    (try? container.decode(String.self, forKey: .occurredAt)) ?? "", at: container.codingPath + [CodingKeys.occurredAt],
                    expected: "an RFC 3339 time with an offset, like 2026-07-01T10:20:00+02:00 or 2026-07-01T08:20:00Z")
            }
            self.time = time

            let statusText = try container.decode(String.self, forKey: .status)
            // Strict about which status, not about how it is written: `Delivered`, `OUT-FOR-DELIVERY`.
            guard let status = Self.statuses[code: statusText] else {
                let known = DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw JSONPayload.unreadable(statusText, at: container.codingPath + [CodingKeys.status], expected: "a Waymark status (\(known))")
            }
            meaning = StatusMeaning(status)
            if let substatusText = try container.decodeIfPresent(String.self, forKey: .substatus), !substatusText.isEmpty {
                let qualified = substatusText.contains(".") ? substatusText : "\(status.rawValue).\(substatusText)"
                do {
                    meaning.substatus = try Substatus(parsing: qualified, for: status)
                } catch {
                    throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [CodingKeys.substatus], debugDescription: error.description))
                }
            }
            message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""

            if let location = try container.nestedContainerIfPresent(keyedBy: LocationKeys.self, forKey: .location) {
                place = ProviderPlace.make(
                    city: try location.decodeIfPresent(String.self, forKey: .city),
                    region: try location.decodeIfPresent(String.self, forKey: .region),
                    country: try location.decodeIfPresent(String.self, forKey: .country))
            } else {
                place = Place()
            }
        }
    }

    enum CodingKeys: String, CodingKey { case trackingNumber = "tracking_number", carrier, eta, events }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        trackingNumber = try container.decodeIfPresent(String.self, forKey: .trackingNumber)
        carrier = try container.decodeIfPresent(String.self, forKey: .carrier)
        eta = try container.eventTime(.eta)
        events = try container.decodeIfPresent([Event].self, forKey: .events) ?? []
    }
}
