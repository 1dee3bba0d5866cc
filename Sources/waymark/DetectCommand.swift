import ArgumentParser
import WaymarkWeb

/// `waymark detect NUMBER...`: which carriers each tracking number may belong to. Needs no database.
struct Detect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the carriers a tracking number may belong to, and whether its check digit is right.")

    @Argument(help: "Tracking numbers; quote one written with spaces.") var numbers: [String]
    @Flag(help: "Print [{\"input\": ..., \"candidates\": [...]}] as JSON, one entry per number in order.") var json = false

    func run() async throws {
        let results = numbers.map(CarrierDetectionResource.init(detecting:))
        if json {
            try printJSON(results)
        } else {
            print(Self.table(results))
        }
    }

    /// Each number, then its candidates in aligned columns.
    static func table(_ results: [CarrierDetectionResource]) -> String {
        let all = results.flatMap(\.candidates)
        let codeWidth = all.map(\.carrier.count).max() ?? 0
        let nameWidth = all.map(\.name.count).max() ?? 0
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines: [String] = []
        for result in results {
            lines.append(result.input)
            if result.candidates.isEmpty {
                lines.append("  no carrier's format fits this number")
            }
            for candidate in result.candidates {
                let check = candidate.valid ? "valid" : "bad check digit"
                lines.append("  \(pad(candidate.carrier, codeWidth))  \(pad(candidate.name, nameWidth))  \(pad(check, 15))  \(candidate.tracking_url)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
