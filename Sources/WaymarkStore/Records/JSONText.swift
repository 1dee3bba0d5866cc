import Foundation

/// The JSON documents kept in TEXT columns (branding, metadata, notification rules, event types)
/// and passed to `json_each`. Keys are sorted, so the same value is always stored as the same text.
enum JSONText {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}
