import Foundation

/// The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date.
public enum RetryAfter {
    /// The wait the header asks for, from `now`; nil when absent or unreadable (a sign, a
    /// fraction, words). A date in the past means "now" (zero); a number too long to read is
    /// taken as a day, the most any retry waits.
    public static func seconds(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return Int(value).map(TimeInterval.init) ?? 86_400
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // IMF-fixdate, the one form senders may generate: `Sun, 06 Nov 1994 08:49:37 GMT`.
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value).map { max($0.timeIntervalSince(now), 0) }
    }
}
