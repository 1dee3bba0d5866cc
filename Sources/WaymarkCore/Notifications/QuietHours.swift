import Foundation

/// Local hours when texts wait, e.g. 21:00 to 08:00 in the tenant's time zone. A text due
/// inside the window goes out when it ends.
public struct QuietHours: Sendable, Equatable {
    /// The local hour the quiet starts (0–23).
    public var start: Int
    /// The local hour it ends (0–23); equal to `start` means never quiet.
    public var end: Int
    public var timeZone: TimeZone

    public init(start: Int, end: Int, timeZone: TimeZone) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Nil when a text may go out at `date`; otherwise the end of the quiet window.
    public func postponement(for date: Date) -> Date? {
        guard start != end else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let hour = calendar.component(.hour, from: date)
        let quiet = start < end ? (hour >= start && hour < end) : (hour >= start || hour < end)
        guard quiet else { return nil }
        // The next local time at `end:00` after `date`; DST gaps are resolved forward.
        return calendar.nextDate(after: date, matching: DateComponents(hour: end, minute: 0, second: 0),
                                 matchingPolicy: .nextTime, direction: .forward)
    }
}
