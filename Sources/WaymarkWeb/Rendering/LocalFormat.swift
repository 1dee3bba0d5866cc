import Foundation
import WaymarkCore

/// Dates, places and timestamps as a shopper in a given language expects to read them.
struct LocalFormat {
    let language: String
    let locale: Locale

    init(language: String) {
        self.language = language
        locale = Locale(identifier: language)
    }

    /// "Fri, 27 Nov, 10:42" in the time zone where the event happened (UTC when unknown).
    func eventTime(_ date: Date, utcOffsetSeconds: Int?) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened, locale: locale, timeZone: Self.zone(utcOffsetSeconds))
        style = style.weekday(.abbreviated)
        return date.formatted(style)
    }

    /// A day such as an ETA: "Monday, 30 November".
    func day(_ date: Date, timeZone: TimeZone = .gmt) -> String {
        date.formatted(Date.FormatStyle(date: .complete, time: .omitted, locale: locale, timeZone: timeZone))
    }

    /// The country's name in this language, or the code when Foundation has no name for it.
    func country(_ code: String) -> String {
        locale.localizedString(forRegionCode: code) ?? code
    }

    func place(_ place: Place) -> String? {
        let parts = [place.city, place.region.flatMap { $0 == place.city ? nil : $0 }, place.country.map(country)].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    static func zone(_ offset: Int?) -> TimeZone {
        offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? .gmt
    }

    /// RFC 3339 with the event's own offset, for `<time datetime>` and the API.
    static func rfc3339(_ date: Date, utcOffsetSeconds: Int? = nil) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone(utcOffsetSeconds)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = utcOffsetSeconds ?? 0
        let zoneText: String
        if offset == 0 {
            zoneText = "Z"
        } else {
            let magnitude = abs(offset)
            zoneText = String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", magnitude / 3600, magnitude % 3600 / 60)
        }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0) + zoneText
    }

    /// `YYYY-MM-DD` of a day stored as midnight UTC.
    static func isoDay(_ date: Date) -> String {
        String(rfc3339(date).prefix(10))
    }
}
