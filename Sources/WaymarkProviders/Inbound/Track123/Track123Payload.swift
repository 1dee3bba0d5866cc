import Foundation

/// A Track123 webhook in either documented shape: the help centre's flat object
/// (`trackingNumber`, `carrierInfo.code`, `trackInfo[]`) or the API docs' `data`-wrapped one
/// (`data.trackNo`, `data.localLogisticsInfo.trackingDetails[]`); `data` may also be an array.
struct Track123Payload: Decodable {
    var shipments: [Shipment]

    struct Shipment: Decodable {
        var trackingNumber: String?
        var carrierCode: String?
        var status: String?
        var subStatus: String?
        var events: [Event]

        enum CodingKeys: String, CodingKey {
            case trackingNumber, trackNo, carrierInfo, localLogisticsInfo, courierCode, transitStatus, transitSubStatus, trackInfo
        }

        enum CarrierKeys: String, CodingKey { case code }

        enum LogisticsKeys: String, CodingKey { case courierCode, trackingDetails }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            trackingNumber = try container.flexibleString(.trackingNumber) ?? container.flexibleString(.trackNo)
            status = try container.decodeIfPresent(String.self, forKey: .transitStatus)
            subStatus = try container.decodeIfPresent(String.self, forKey: .transitSubStatus)
            events = try container.decodeIfPresent([Event].self, forKey: .trackInfo) ?? []
            carrierCode = try container.nestedContainerIfPresent(keyedBy: CarrierKeys.self, forKey: .carrierInfo)?
                .decodeIfPresent(String.self, forKey: .code)
            if let logistics = try container.nestedContainerIfPresent(keyedBy: LogisticsKeys.self, forKey: .localLogisticsInfo) {
                carrierCode = try carrierCode ?? logistics.decodeIfPresent(String.self, forKey: .courierCode)
                events += try logistics.decodeIfPresent([Event].self, forKey: .trackingDetails) ?? []
            }
            carrierCode = try carrierCode ?? container.decodeIfPresent(String.self, forKey: .courierCode)
        }
    }

    struct Event: Decodable {
        var time: EventTime?
        var detail: String?
        var location: String?
        var subStatus: String?

        enum CodingKeys: String, CodingKey {
            case eventTime, eventTimeZeroUTC, timezone, eventDetail, eventLocation, address, transitSubStatus
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            detail = try container.decodeIfPresent(String.self, forKey: .eventDetail)
            location = try container.decodeIfPresent(String.self, forKey: .eventLocation)
                ?? container.decodeIfPresent(String.self, forKey: .address)
            subStatus = try container.decodeIfPresent(String.self, forKey: .transitSubStatus)
            time = Self.time(
                local: try container.eventTime(.eventTime), utc: try container.eventTime(.eventTimeZeroUTC),
                zone: try container.decodeIfPresent(String.self, forKey: .timezone))
        }

        /// `eventTime` is the local time, with or without an offset; `eventTimeZeroUTC` the same
        /// instant in UTC; `timezone` the place's zone. An offset written in `eventTime` wins, then
        /// the UTC instant with the zone's offset, then the local time read in the zone.
        static func time(local: EventTime?, utc: EventTime?, zone: String?) -> EventTime? {
            if let local, local.utcOffsetSeconds != nil { return local }
            let reference = utc?.date ?? local?.date ?? Date(timeIntervalSince1970: 0)
            let offset = zone.flatMap { EventTime.utcOffset($0, at: reference) }
            if let utc { return EventTime(date: utc.date, utcOffsetSeconds: offset, day: utc.day) }
            guard var local else { return nil }
            if let offset {
                local.date = local.date.addingTimeInterval(-TimeInterval(offset))
                local.utcOffsetSeconds = offset
            }
            return local
        }
    }

    enum CodingKeys: String, CodingKey { case data }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.data) {
            do {
                shipments = [try container.decode(Shipment.self, forKey: .data)]
            } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == 1 {
                shipments = try container.decode([Shipment].self, forKey: .data)
            }
        } else {
            shipments = [try Shipment(from: decoder)]
        }
    }
}
