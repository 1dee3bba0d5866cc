import Foundation
import Testing

/// The modules depend in one direction: Core ← Signing ← {Providers, Notify} ← Web ← waymark, and
/// Core ← Store ← waymark. Providers, Notify and Web see storage only as Core's protocols; only
/// the executable, which opens the database, imports the store. Read from the sources' imports,
/// so a shortcut (Providers borrowing from Notify, a controller reaching for GRDB) fails here
/// rather than in review.
@Suite struct ModuleDirectionTests {
    static let allowed: [String: Set<String>] = [
        "WaymarkCore": [],
        "WaymarkSigning": ["WaymarkCore"],
        "WaymarkStore": ["WaymarkCore"],
        "WaymarkProviders": ["WaymarkCore", "WaymarkSigning"],
        "WaymarkNotify": ["WaymarkCore", "WaymarkSigning"],
        "WaymarkWeb": ["WaymarkCore", "WaymarkSigning", "WaymarkProviders", "WaymarkNotify"],
        "waymark": ["WaymarkCore", "WaymarkStore", "WaymarkProviders", "WaymarkNotify", "WaymarkWeb"],
    ]

    /// The one module that knows storage is SQLite (the raw-GRDB benchmark baseline aside).
    static let grdbModules: Set<String> = ["WaymarkStore", "waymark-bench"]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test("Each module imports only the modules below it", arguments: allowed.keys.sorted())
    func imports(module: String) throws {
        let found = try Self.imports(of: module).filter { $0.hasPrefix("Waymark") }
        let allowed = try #require(Self.allowed[module])
        #expect(found.subtracting(allowed).isEmpty, "\(module) imports \(found.subtracting(allowed).sorted())")
    }

    @Test("Only the store imports GRDB: everything else speaks to storage through Core's protocols")
    func grdbStaysInTheStore() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
        #expect(modules.contains("WaymarkStore") && modules.contains("WaymarkCore"))
        for module in modules where !Self.grdbModules.contains(module) {
            #expect(try !Self.imports(of: module).contains("GRDB"), "\(module) imports GRDB")
        }
        #expect(try Self.imports(of: "WaymarkStore").contains("GRDB"), "the check reads imports at all")
    }

    /// The modules the Swift files under `Sources/<module>` import.
    static func imports(of module: String) throws -> Set<String> {
        let folder = sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
        var found: Set<String> = []
        for case let file as URL in files where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { continue }
                found.insert(String(words[index + 1]))
            }
        }
        return found
    }
}
