/// Which characters free text (names, order numbers, places, messages) may hold: one rule for
/// every way in — the API (whose OpenAPI patterns are written from these ranges), the CLI and
/// CSV imports.
public enum TextCharacters {
    /// Never allowed: C0/C1 controls, line and paragraph separators, and invisible formatting
    /// (soft hyphen, zero-width and direction marks, BOM). Each can forge a header line or
    /// disguise text.
    public static let forbidden: [ClosedRange<UInt32>] = [
        0x00...0x1F, 0x7F...0x9F, 0xAD...0xAD, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF...0xFEFF,
    ]
    /// White space that may not start or end a field.
    public static let edgeSpace: [ClosedRange<UInt32>] = [
        0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000,
    ]

    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool { contains(forbidden, scalar) }
    public static func isEdgeSpace(_ scalar: Unicode.Scalar) -> Bool { contains(edgeSpace, scalar) }

    static func contains(_ ranges: [ClosedRange<UInt32>], _ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0.contains(scalar.value) }
    }
}
