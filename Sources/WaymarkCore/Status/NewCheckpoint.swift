import Foundation

extension CheckpointEvent {
    /// A checkpoint pushed by a merchant (API) or a generic feed, checked by the same rules
    /// everywhere: a known status, a substatus of that status, a message, an RFC 3339 time no
    /// later than a day from now, a city-level place. Problems name their fields.
    public static func validated(
        status: String?, substatus: String?, message: String?, occurredAt: String?, location: Place?,
        source: String, now: Date
    ) throws(ValidationErrors) -> CheckpointEvent {
        var problems: [ValidationError] = []
        let parsedStatus = status.flatMap(DeliveryStatus.init(rawValue:))
        if parsedStatus == nil {
            problems.append(.init(
                "must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))", field: "status"))
        }
        var parsedSubstatus: Substatus?
        if let substatus, !substatus.isEmpty, let parsedStatus {
            do { parsedSubstatus = try Substatus(parsing: substatus, for: parsedStatus) } catch {
                problems.append(.init(error.description, field: "substatus"))
            }
        }
        let text = NewShipment.optionalText(message, max: 500, field: "message", into: &problems)
        if text == nil && !problems.contains(where: { $0.field == "message" }) {
            problems.append(.init("is required", field: "message"))
        }
        let stamp = occurredAt.flatMap(RFC3339.parse)
        if stamp == nil {
            problems.append(.init("must be an RFC 3339 time like 2026-11-27T09:30:00+01:00", field: "occurred_at"))
        } else if let stamp, stamp.date > now.addingTimeInterval(86_400) {
            problems.append(.init("is more than a day in the future", field: "occurred_at"))
        }
        var place = Place()
        if let location {
            place.city = NewShipment.optionalText(location.city, max: 100, field: "location.city", into: &problems)
            place.region = NewShipment.optionalText(location.region, max: 100, field: "location.region", into: &problems)
            if let country = NewShipment.optionalText(location.country, max: 2, field: "location.country", into: &problems) {
                if country.count == 2, country.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) }) {
                    place.country = country.uppercased()
                } else {
                    problems.append(.init("must be a two-letter ISO 3166 country code like DE", field: "location.country"))
                }
            }
        }
        guard problems.isEmpty, let parsedStatus, let text, let stamp else { throw ValidationErrors(problems) }
        return CheckpointEvent(
            occurredAt: stamp.date, utcOffsetSeconds: stamp.utcOffsetSeconds, status: parsedStatus, substatus: parsedSubstatus,
            message: text, location: place, source: source, rawCode: nil)
    }
}
