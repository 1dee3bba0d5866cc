import Foundation
import Testing

/// The snapshot helper itself: a missing or changed snapshot must fail, never pass quietly.
@Suite struct SnapshotHelperTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("snapshots-\(UUID().uuidString)")

    @Test func aMissingSnapshotIsRecordedAndFails() throws {
        try withKnownIssue {
            try Snapshot.expect("<p>new</p>\n", matches: "page.html", in: folder)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("no snapshot yet, so recorded one") }
        }
        let recorded = try String(contentsOf: folder.appendingPathComponent("page.html"), encoding: .utf8)
        #expect(recorded == "<p>new</p>\n")

        try Snapshot.expect("<p>new</p>\n", matches: "page.html", in: folder)  // the second run passes
    }

    @Test func aChangedPageFails() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("<h1>Hi</h1>\n<p>old</p>\n".utf8).write(to: folder.appendingPathComponent("page.html"))

        withKnownIssue {
            try Snapshot.expect("<h1>Hi</h1>\n<p>new</p>\n", matches: "page.html", in: folder)
        }
    }

    @Test func anEmptyRenderFailsAndIsNotRecorded() throws {
        withKnownIssue {
            try Snapshot.expect(" \n", matches: "empty.html", in: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("empty.html").path))
    }

    @Test func theDiffShowsChangedLinesWithTheirNumbers() {
        let old = "<html>\n<h1>Hi</h1>\n<p>old</p>\n<footer>\n</html>\n"
        let new = "<html>\n<h1>Hi</h1>\n<p>new</p>\n<p>added</p>\n<footer>\n</html>\n"

        #expect(LineDiff.summary(from: old, to: new) == "- 3: <p>old</p>\n+ 3: <p>new</p>\n+ 4: <p>added</p>")
        #expect(LineDiff.summary(from: String(repeating: "a\n", count: 30), to: String(repeating: "b\n", count: 30), limit: 2)
            == "- 1: a\n- 2: a\n… and 58 more changed lines")
    }
}
