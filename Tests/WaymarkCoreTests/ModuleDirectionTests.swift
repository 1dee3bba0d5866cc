import Foundation
import Testing

/// The modules depend in one direction: Core ← Signing, Store ← {Providers, Notify} ← Web ←
/// waymark. Read from the sources' imports, so a shortcut (Providers borrowing from Notify, the
/// store reaching into the web layer) fails here rather than in review.
@Suite struct ModuleDirectionTests {
    static let allowed: [String: Set<String>] = [
        "WaymarkCore": [],
        "WaymarkSigning": ["WaymarkCore"],
        "WaymarkStore": ["WaymarkCore"],
        "WaymarkProviders": ["WaymarkCore", "WaymarkStore", "WaymarkSigning"],
        "WaymarkNotify": ["WaymarkCore", "WaymarkStore", "WaymarkSigning"],
        "WaymarkWeb": ["WaymarkCore", "WaymarkStore", "WaymarkSigning", "WaymarkProviders", "WaymarkNotify"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test("Each module imports only the modules below it", arguments: allowed.keys.sorted())
    func imports(module: String) throws {
        let folder = Self.sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        var found: Set<String> = []
        for case let file as URL in files where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { continue }
                let name = String(words[index + 1])
                if name.hasPrefix("Waymark") { found.insert(name) }
            }
        }
        let allowed = try #require(Self.allowed[module])
        #expect(found.subtracting(allowed).isEmpty, "\(module) imports \(found.subtracting(allowed).sorted())")
    }
}
