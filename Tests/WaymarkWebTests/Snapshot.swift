import Foundation
import Testing

/// Rendered pages and messages compared with files committed under `Snapshots/`, one file per
/// snapshot, so a change to what shoppers see shows up in review as a diff of that file.
///
/// - A missing file is written and the test fails saying so: a snapshot nobody has read never
///   passes on its first run.
/// - `WAYMARK_RECORD_SNAPSHOTS=1 swift test --filter Snapshot` rewrites the files that differ
///   (and fails for each one rewritten, so a recording run is never taken for a green one);
///   review the diff, then run again without it.
/// - A mismatch fails with a short line diff.
/// - Static files' versions (`/static/css/admin.css?v=1a2b3c4d`) read `?v=VERSION`, so a change
///   to a stylesheet does not rewrite every page's snapshot.
enum Snapshot {
    static let folder = packageRoot.appendingPathComponent("Tests/WaymarkWebTests/Snapshots")

    static var recording: Bool { ProcessInfo.processInfo.environment["WAYMARK_RECORD_SNAPSHOTS"] == "1" }

    /// Checks `actual` against `Snapshots/<name>` (`name` with its extension: `tracking-en.html`);
    /// `folder` is another one only in the helper's own tests.
    static func expect(
        _ rendered: String, matches name: String, in folder: URL = folder, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let actual = rendered.replacingOccurrences(of: "\\?v=[0-9a-f]{8}\"", with: "?v=VERSION\"", options: .regularExpression)
        // An empty render is the failure this suite exists to catch; it is never worth recording.
        guard !actual.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            Issue.record("\(name): the rendered text is empty", sourceLocation: sourceLocation)
            return
        }
        let file = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: file.path) else {
            try write(actual, to: file)
            Issue.record("\(name): no snapshot yet, so recorded one at \(file.path); read it, commit it and run again",
                         sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        guard actual != expected else { return }
        if recording {
            try write(actual, to: file)
            Issue.record("\(name): re-recorded (WAYMARK_RECORD_SNAPSHOTS=1); review the diff and run again without it",
                         sourceLocation: sourceLocation)
        } else {
            Issue.record("""
                \(name) differs from its snapshot (- snapshot, + now); if the change is intended, \
                re-record with WAYMARK_RECORD_SNAPSHOTS=1
                \(LineDiff.summary(from: expected, to: actual))
                """, sourceLocation: sourceLocation)
        }
    }

    private static func write(_ text: String, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
    }
}
