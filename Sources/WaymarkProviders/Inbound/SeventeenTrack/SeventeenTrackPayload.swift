import Foundation

/// A 17TRACK webhook (API v2.2): `{event, data: {number, carrier, track_info: {latest_status,
/// tracking: {providers[]{events[]}}}}}`. `track_info` may be null, as in `TRACKING_STOPPED`.
struct SeventeenTrackPayload: Decodable {
    var event: String?
    var number: String?
    var carrier: String?
    var status: String?
    var subStatus: String?
    /// Events of every carrier that handled the parcel (origin and destination), in feed order.
    var events: [Event]
    /// `track_info.latest_event`: 17TRACK's newest event, stated beside `latest_status`.
    var latestEvent: Event?

    struct Event: Decodable {
        var time: EventTime?
        var description: String?
        var location: String?
        var stage: String?
        var subStatus: String?
        var city: String?
        var state: String?
        var country: String?

        enum CodingKeys: String, CodingKey {
            case timeISO = "time_iso", timeUTC = "time_utc", description, location, stage, subStatus = "sub_status", address
        }

        enum AddressKeys: String, CodingKey { case country, state, city }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            location = try container.decodeIfPresent(String.self, forKey: .location)
            stage = try container.decodeIfPresent(String.self, forKey: .stage).flatMap { $0.isEmpty ? nil : $0 }
            subStatus = try container.decodeIfPresent(String.self, forKey: .subStatus).flatMap { $0.isEmpty ? nil : $0 }
            if let address = try container.nestedContainerIfPresent(keyedBy: AddressKeys.self, forKey: .address) {
                city = try address.decodeIfPresent(String.self, forKey: .city)
                state = try address.decodeIfPresent(String.self, forKey: .state)
                country = try address.decodeIfPresent(String.self, forKey: .country)
            }
            // time_iso is the local time, usually with its offset; time_utc the same instant in UTC.
            let local = try container.eventTime(.timeISO)
            let utc = try container.eventTime(.timeUTC)
            if let local, local.utcOffsetSeconds != nil {
                time = local
            } else if let utc {
                time = EventTime(date: utc.date, utcOffsetSeconds: nil, day: utc.day)
            } else {
                time = local
            }
        }
    }

    enum CodingKeys: String, CodingKey { case event, data }
    enum DataKeys: String, CodingKey { case number, carrier, trackInfo = "track_info" }
    enum TrackInfoKeys: String, CodingKey { case latestStatus = "latest_status", latestEvent = "latest_event", tracking }
    enum LatestStatusKeys: String, CodingKey { case status, subStatus = "sub_status" }
    enum TrackingKeys: String, CodingKey { case providers }
    enum ProviderKeys: String, CodingKey { case events }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event = try container.decodeIfPresent(String.self, forKey: .event)
        let data = try container.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        number = try data.flexibleString(.number)
        carrier = try data.flexibleString(.carrier)
        events = []
        guard let trackInfo = try data.nestedContainerIfPresent(keyedBy: TrackInfoKeys.self, forKey: .trackInfo) else { return }
        if let latest = try trackInfo.nestedContainerIfPresent(keyedBy: LatestStatusKeys.self, forKey: .latestStatus) {
            status = try latest.decodeIfPresent(String.self, forKey: .status)
            subStatus = try latest.decodeIfPresent(String.self, forKey: .subStatus)
        }
        if trackInfo.contains(.latestEvent), try !trackInfo.decodeNil(forKey: .latestEvent) {
            latestEvent = try trackInfo.decode(Event.self, forKey: .latestEvent)
        }
        guard let tracking = try trackInfo.nestedContainerIfPresent(keyedBy: TrackingKeys.self, forKey: .tracking),
              tracking.contains(.providers), try !tracking.decodeNil(forKey: .providers)
        else { return }
        var providers = try tracking.nestedUnkeyedContainer(forKey: .providers)
        while !providers.isAtEnd {
            let provider = try providers.nestedContainer(keyedBy: ProviderKeys.self)
            events += try provider.decodeIfPresent([Event].self, forKey: .events) ?? []
        }
    }
}
