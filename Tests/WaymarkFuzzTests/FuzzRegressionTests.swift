import Foundation
import Testing
import WaymarkFuzz

/// Every input the fuzzers found a crash, hang or broken promise with is kept in
/// `Regressions/<target>/` and replayed here on every test run, so a fixed bug stays fixed.
@Suite("Fuzzer findings stay fixed")
struct FuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")

    static func inputs(of target: FuzzTarget) -> [(name: String, bytes: [UInt8])] {
        let folder = regressions.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: folder.appendingPathComponent(name).path).map { (name, Array($0)) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func findingsStayFixed(target: FuzzTarget) {
        for input in Self.inputs(of: target) {
            #expect(throws: Never.self, "\(target.rawValue)/\(input.name)") { try target.run(input.bytes) }
        }
    }
}
