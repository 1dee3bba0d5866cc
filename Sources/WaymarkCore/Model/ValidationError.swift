/// Input that breaks a rule, with the field it concerns when there is one.
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String?
    public var reason: String

    public init(_ reason: String, field: String? = nil) {
        self.reason = reason
        self.field = field
    }

    public var description: String { field.map { "\($0): \(reason)" } ?? reason }
}
