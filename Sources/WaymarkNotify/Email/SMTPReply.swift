/// One (possibly multi-line) server reply: `250-first`, `250-second`, `250 last`.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// The text of each line, without the code and separator.
    public let lines: [String]

    public var text: String { lines.joined(separator: "\n") }
    public var description: String { "\(code) \(lines.joined(separator: " / "))" }

    var isPositive: Bool { (200...399).contains(code) }
    var isTransient: Bool { (400...499).contains(code) }
}
