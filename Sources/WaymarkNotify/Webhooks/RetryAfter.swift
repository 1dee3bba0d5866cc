import Foundation

/// The `Retry-After` header of a 429 or 503: either a number of seconds or an HTTP-date
/// (RFC 9110 §10.2.3). Anything else is ignored rather than guessed at.
enum RetryAfter {
    /// The wait the header asks for, from `now`; nil when absent, unreadable or in the past.
    static func seconds(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ (48...57).contains($0) }) {
            // Anything above a day is capped by the retry schedule; a long digit string still parses.
            return value.utf8.count > 9 ? 86_400 : TimeInterval(value)
        }
        guard let date = httpDate(value) else { return nil }
        let wait = date.timeIntervalSince(now)
        return wait > 0 ? wait : nil
    }

    /// IMF-fixdate, the only form senders may generate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
