import Foundation

/// A Shippo webhook: `{event: "track_updated", test, data: {tracking_number, carrier, eta,
/// tracking_status, tracking_history[]}}`, where every status has the same shape.
struct ShippoPayload: Decodable {
    var event: String?
    var trackingNumber: String?
    var carrier: String?
    var eta: EventTime?
    var current: Status?
    var history: [Status]

    struct Status: Decodable {
        var status: String?
        var substatus: String?
        var details: String?
        var time: EventTime?
        var city: String?
        var state: String?
        var country: String?

        enum CodingKeys: String, CodingKey {
            case status, substatus, details = "status_details", time = "status_date", location
        }

        enum SubstatusKeys: String, CodingKey { case code }
        enum LocationKeys: String, CodingKey { case city, state, zip, country }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            status = try container.decodeIfPresent(String.self, forKey: .status)
            details = try container.decodeIfPresent(String.self, forKey: .details)
            time = try container.eventTime(.time)
            if container.contains(.substatus), try !container.decodeNil(forKey: .substatus) {
                // `{code, text, action_required}`; a bare code string is read too.
                if let code = try? container.decode(String.self, forKey: .substatus) {
                    substatus = code
                } else {
                    substatus = try container.nestedContainer(keyedBy: SubstatusKeys.self, forKey: .substatus)
                        .decodeIfPresent(String.self, forKey: .code)
                }
            }
            if let location = try container.nestedContainerIfPresent(keyedBy: LocationKeys.self, forKey: .location) {
                city = try location.decodeIfPresent(String.self, forKey: .city)
                state = try location.decodeIfPresent(String.self, forKey: .state)
                country = try location.decodeIfPresent(String.self, forKey: .country)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case event, data }
    enum DataKeys: String, CodingKey {
        case trackingNumber = "tracking_number", carrier, eta, current = "tracking_status", history = "tracking_history"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event = try container.decodeIfPresent(String.self, forKey: .event)
        let data = try container.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        trackingNumber = try data.flexibleString(.trackingNumber)
        carrier = try data.decodeIfPresent(String.self, forKey: .carrier)
        eta = try data.eventTime(.eta)
        current = try data.decodeIfPresent(Status.self, forKey: .current)
        history = try data.decodeIfPresent([Status].self, forKey: .history) ?? []
    }
}
