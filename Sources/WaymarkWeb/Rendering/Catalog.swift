import Foundation
import WaymarkCore

/// The shopper pages' strings in every language, loaded once from `Locales/*.json`.
/// A key missing in a translation falls back to English; the tests make sure none is missing.
public struct Catalog: Sendable {
    public let strings: [String: [String: String]]

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(directory: String) throws {
        var strings: [String: [String: String]] = [:]
        for language in ShopperLanguage.supported {
            let path = "\(directory)/\(language).json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LoadError(description: "missing translation file \(path)")
            }
            do {
                strings[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw LoadError(description: "\(path) is not a JSON object of strings: \(error)")
            }
        }
        guard let english = strings["en"] else { throw LoadError(description: "missing English strings") }
        for (language, table) in strings where language != "en" {
            strings[language] = english.merging(table) { _, translated in translated }
        }
        self.strings = strings
    }

    /// The whole table for a language (English for an unknown one).
    public func table(_ language: String) -> [String: String] {
        strings[language] ?? strings["en"] ?? [:]
    }

    /// One string with `{name}` placeholders filled in.
    public func text(_ key: String, _ language: String, _ values: [String: String] = [:]) -> String {
        var text = table(language)[key] ?? key
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }
}
