import Foundation
import WaymarkCore

/// Decodes a provider's JSON body, turning any failure into `InboundError.malformed` that names
/// the provider, the field path and what was expected, so the 400 body says what to fix.
enum JSONPayload {
    static func decode<Payload: Decodable>(_ type: Payload.Type, from body: [UInt8], provider: ProviderName) throws(InboundError) -> Payload {
        guard !body.isEmpty else { throw .malformed("\(provider.rawValue) webhook body is empty; expected a JSON object") }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw .malformed("\(provider.rawValue) webhook body: \(describe(error))")
        } catch {
            throw .malformed("\(provider.rawValue) webhook body could not be read: \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null; expected \(typeName(type))"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON (\(context.debugDescription))" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// `msg.checkpoints[2].checkpoint_time`; the whole body is `(root)`.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "(root)" : text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    /// A decoding error for a field that holds text Waymark cannot read, such as a time.
    static func unreadable(_ value: String, at codingPath: [any CodingKey], expected: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: codingPath, debugDescription: "'\(value.prefix(80))' is not \(expected)"))
    }
}

extension KeyedDecodingContainer {
    /// Text that providers send either as a JSON string or a number (ids, carrier codes, unix
    /// times); nil when absent, null or empty.
    func flexibleString(_ key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let text = try? decode(String.self, forKey: key) { return text.isEmpty ? nil : text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        throw DecodingError.typeMismatch(String.self, .init(codingPath: codingPath + [key], debugDescription: "expected a string or a number"))
    }

    /// The object at `key`, or nil when it is absent or null.
    func nestedContainerIfPresent<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey>? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try nestedContainer(keyedBy: type, forKey: key)
    }

    /// An ISO 8601 time; nil when absent, null or empty, a `dataCorrupted` error naming the field
    /// when present but unreadable.
    func eventTime(_ key: Key) throws -> EventTime? {
        guard let text = try decodeIfPresent(String.self, forKey: key), !text.trimmingWhitespace.isEmpty else { return nil }
        guard let time = EventTime.parse(text) else {
            throw JSONPayload.unreadable(text, at: codingPath + [key], expected: "an ISO 8601 time like 2026-07-01T10:20:00+02:00")
        }
        return time
    }
}
