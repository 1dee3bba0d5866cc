import Foundation

/// An EasyPost webhook: an Event `{id: "evt_...", object: "Event", description: "tracker.updated",
/// result: Tracker}`. Events about other objects (batches, refunds) carry other results.
struct EasyPostPayload: Decodable {
    var id: String?
    var description: String?
    var tracker: Tracker?

    /// Whether the event is about a tracker at all.
    var isTrackerEvent: Bool { description?.hasPrefix("tracker.") ?? false }

    struct Tracker: Decodable {
        var trackingCode: String?
        var carrier: String?
        var status: String?
        var statusDetail: String?
        var estimatedDelivery: EventTime?
        var details: [Detail]

        enum CodingKeys: String, CodingKey {
            case trackingCode = "tracking_code", carrier, status, statusDetail = "status_detail"
            case estimatedDelivery = "est_delivery_date", details = "tracking_details"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            trackingCode = try container.flexibleString(.trackingCode)
            carrier = try container.decodeIfPresent(String.self, forKey: .carrier)
            status = try container.decodeIfPresent(String.self, forKey: .status)
            statusDetail = try container.decodeIfPresent(String.self, forKey: .statusDetail)
            estimatedDelivery = try container.eventTime(.estimatedDelivery)
            details = try container.decodeIfPresent([Detail].self, forKey: .details) ?? []
        }
    }

    struct Detail: Decodable {
        var time: EventTime?
        var message: String?
        var status: String?
        var statusDetail: String?
        var city: String?
        var state: String?
        var country: String?

        enum CodingKeys: String, CodingKey {
            case time = "datetime", message, status, statusDetail = "status_detail", location = "tracking_location"
        }

        enum LocationKeys: String, CodingKey { case city, state, country, zip }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            time = try container.eventTime(.time)
            message = try container.decodeIfPresent(String.self, forKey: .message)
            status = try container.decodeIfPresent(String.self, forKey: .status)
            statusDetail = try container.decodeIfPresent(String.self, forKey: .statusDetail)
            if let location = try container.nestedContainerIfPresent(keyedBy: LocationKeys.self, forKey: .location) {
                city = try location.decodeIfPresent(String.self, forKey: .city)
                state = try location.decodeIfPresent(String.self, forKey: .state)
                country = try location.decodeIfPresent(String.self, forKey: .country)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case id, description, result }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.flexibleString(.id)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        if description?.hasPrefix("tracker.") ?? false {
            tracker = try container.decode(Tracker.self, forKey: .result)
        }
    }
}
