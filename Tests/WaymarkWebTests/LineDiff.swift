/// A short diff of two texts by line, for a failing snapshot: the removed (`-`) and added (`+`)
/// lines with their line numbers, at most `limit` of them, so the test log shows what changed
/// without dumping two whole pages.
enum LineDiff {
    static func summary(from old: String, to new: String, limit: Int = 12) -> String {
        let before = old.split(separator: "\n", omittingEmptySubsequences: false)
        let after = new.split(separator: "\n", omittingEmptySubsequences: false)
        var head = 0
        while head < before.count, head < after.count, before[head] == after[head] { head += 1 }
        var endBefore = before.count, endAfter = after.count
        while endBefore > head, endAfter > head, before[endBefore - 1] == after[endAfter - 1] {
            endBefore -= 1
            endAfter -= 1
        }
        let changes = edits(Array(before[head..<endBefore]), Array(after[head..<endAfter]))
        var lines = changes.prefix(limit).map { change in
            let text = change.text.count > 160 ? change.text.prefix(160) + "…" : change.text
            return "\(change.removed ? "-" : "+") \(head + change.offset + 1): \(text)"
        }
        if changes.count > limit { lines.append("… and \(changes.count - limit) more changed lines") }
        return lines.joined(separator: "\n")
    }

    private struct Change {
        let removed: Bool
        /// Line index within the changed middle, in the old text for a removal, the new for an addition.
        let offset: Int
        let text: Substring
    }

    /// The removals and additions that turn `old` into `new`, along a longest common
    /// subsequence. Very long middles (a rewritten page) are shown as all removed, all added.
    private static func edits(_ old: [Substring], _ new: [Substring]) -> [Change] {
        guard old.count * new.count <= 4_000_000 else {
            return old.enumerated().map { Change(removed: true, offset: $0.offset, text: $0.element) }
                + new.enumerated().map { Change(removed: false, offset: $0.offset, text: $0.element) }
        }
        // common[i][j]: length of the longest common subsequence of old[i...] and new[j...].
        var common = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var changes: [Change] = []
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                i += 1
                j += 1
            } else if i < old.count, j == new.count || common[i + 1][j] >= common[i][j + 1] {
                changes.append(Change(removed: true, offset: i, text: old[i]))
                i += 1
            } else {
                changes.append(Change(removed: false, offset: j, text: new[j]))
                j += 1
            }
        }
        return changes
    }
}
