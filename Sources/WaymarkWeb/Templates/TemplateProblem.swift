/// One thing wrong with a merchant's template, where it is: what the editor shows beside the
/// line, the CLI prints before the reason, and an API returns in its problem details.
public struct TemplateProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line of the template text, when the problem has a place.
    public let line: Int?
    /// 1-based column in characters, when known.
    public let column: Int?
    public let reason: String
    /// Which text of an email it is in, when not the body: `subject` or `text`.
    public var field: String?

    public init(line: Int?, column: Int? = nil, _ reason: String, field: String? = nil) {
        self.line = line
        self.column = column
        self.reason = reason
        self.field = field
    }

    public var description: String {
        let place = switch (line, column) {
        case let (line?, column?): "line \(line), column \(column): "
        case let (line?, nil): "line \(line): "
        case let (nil, column?): "column \(column): "
        default: ""
        }
        return (field.map { "\($0), " } ?? "") + place + reason
    }
}
