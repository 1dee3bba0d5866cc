import Foundation
import WaymarkCore

/// A fixed instant (2025-06-15 12:00:00 UTC) so tests never depend on the clock.
let referenceDate = Date(timeIntervalSince1970: 1_749_988_800)

/// A checkpoint `seconds` after `referenceDate`.
func checkpoint(
    _ seconds: TimeInterval, _ status: DeliveryStatus, _ message: String = "scan", substatus: Substatus? = nil
) -> CheckpointEvent {
    CheckpointEvent(
        occurredAt: referenceDate.addingTimeInterval(seconds), status: status, substatus: substatus,
        message: message, source: "test")
}

/// A Gregorian calendar in the given time zone (UTC by default).
func calendar(_ zone: String = "UTC") -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    return calendar
}

/// A date from UTC components.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
    calendar().date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}
