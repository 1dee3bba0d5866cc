import Foundation

/// The replay window for signed timestamps: five minutes either way of the server's clock, as
/// the Standard Webhooks libraries use and Waymark applies to every provider that signs a time.
enum TimestampWindow {
    static let tolerance: TimeInterval = 5 * 60

    /// Throws `staleTimestamp` when `sent` is more than `tolerance` from `now`.
    static func check(_ sent: Date, now: Date, header: String) throws(InboundError) {
        let skew = sent.timeIntervalSince(now)
        guard abs(skew) > tolerance else { return }
        let direction = skew < 0 ? "in the past" : "in the future"
        throw .staleTimestamp(
            "the \(header) header is \(describe(abs(skew))) \(direction); more than 5 minutes either way is refused as a replay or a wrong clock")
    }

    private static func describe(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<120: "\(Int(seconds)) seconds"
        case ..<7200: "\(Int(seconds / 60)) minutes"
        case ..<172_800: "\(Int(seconds / 3600)) hours"
        default: "\(Int(seconds / 86_400)) days"
        }
    }

    /// A decimal count (of seconds or milliseconds) as sent in a header: digits only, no sign,
    /// point or exponent, at most 15 of them.
    static func integer(_ text: String) -> Int64? {
        guard (1...15).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(text)
    }
}
