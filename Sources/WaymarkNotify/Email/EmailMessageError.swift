/// Why a message could not be built; each case names the offending input so the merchant or
/// operator can fix it.
public enum EmailMessageError: Error, Equatable, Sendable {
    /// Not exactly one plain `local@domain` address (or contains CR, LF, `<`, `>`, `,`, spaces...).
    case invalidAddress(String)
    /// An extra header's name is not 1–76 printable ASCII characters without `:`.
    case invalidHeaderName(String)
    /// An extra header's value contains CR, LF or another control character, or is not ASCII.
    case invalidHeaderValue(name: String)
    /// An extra header tried to replace one the builder writes itself (From, To, Subject, ...).
    case reservedHeader(String)
}
