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
}
