import Foundation

/// An AfterShip webhook (Tracking API 2026-07): `{event, event_id, ts, msg: Tracking}`.
struct AfterShipPayload: Decodable {
    var event: String?
    var eventID: String?
    /// When AfterShip produced the event, Unix seconds.
    var timestamp: Date?
    var tracking: Tracking?

    struct Tracking: Decodable {
        var trackingNumber: String?
        var slug: String?
        var tag: String?
        var subtag: String?
        var subtagMessage: String?
        var expectedDelivery: EventTime?
        var checkpoints: [Checkpoint]

        enum CodingKeys: String, CodingKey {
            case trackingNumber = "tracking_number", slug, tag, subtag, subtagMessage = "subtag_message"
            case expectedDelivery = "expected_delivery", checkpoints
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            trackingNumber = try container.flexibleString(.trackingNumber)
            slug = try container.decodeIfPresent(String.self, forKey: .slug)
            tag = try container.decodeIfPresent(String.self, forKey: .tag)
            subtag = try container.decodeIfPresent(String.self, forKey: .subtag)
            subtagMessage = try container.decodeIfPresent(String.self, forKey: .subtagMessage)
            expectedDelivery = try container.eventTime(.expectedDelivery)
            checkpoints = try container.decodeIfPresent([Checkpoint].self, forKey: .checkpoints) ?? []
        }
    }

    struct Checkpoint: Decodable {
        var time: EventTime?
        var location: String?
        var city: String?
        var state: String?
        /// `postal_code`, called `zip` before 2026-01. Decoded so both shapes are accepted; a
        /// checkpoint's place is city-level, so it goes no further.
        var postalCode: String?
        /// ISO 3166-1 alpha-3; `country_iso3` in older payloads.
        var country: String?
        var message: String?
        var tag: String?
        var subtag: String?
        var subtagMessage: String?

        enum CodingKeys: String, CodingKey {
            case time = "checkpoint_time", location, city, state, postalCode = "postal_code", zip
            case countryRegion = "country_region", countryISO3 = "country_iso3", message, tag, subtag, subtagMessage = "subtag_message"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            time = try container.eventTime(.time)
            location = try container.decodeIfPresent(String.self, forKey: .location)
            city = try container.decodeIfPresent(String.self, forKey: .city)
            state = try container.decodeIfPresent(String.self, forKey: .state)
            postalCode = try container.flexibleString(.postalCode) ?? container.flexibleString(.zip)
            country = try container.decodeIfPresent(String.self, forKey: .countryRegion)
                ?? container.decodeIfPresent(String.self, forKey: .countryISO3)
            message = try container.decodeIfPresent(String.self, forKey: .message)
            tag = try container.decodeIfPresent(String.self, forKey: .tag)
            subtag = try container.decodeIfPresent(String.self, forKey: .subtag)
            subtagMessage = try container.decodeIfPresent(String.self, forKey: .subtagMessage)
        }
    }

    enum CodingKeys: String, CodingKey {
        case event, eventID = "event_id", timestamp = "ts", tracking = "msg"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event = try container.decodeIfPresent(String.self, forKey: .event)
        eventID = try container.flexibleString(.eventID)
        if let seconds = try container.flexibleString(.timestamp) {
            guard let value = Double(seconds) else {
                throw JSONPayload.unreadable(seconds, at: container.codingPath + [CodingKeys.timestamp], expected: "Unix seconds")
            }
            timestamp = Date(timeIntervalSince1970: value)
        }
        tracking = try container.decodeIfPresent(Tracking.self, forKey: .tracking)
    }
}
