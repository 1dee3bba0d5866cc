/// The lines two versions of a template share, and those only one has: a longest common
/// subsequence of lines, so a moved paragraph reads as removed here and added there, as in
/// `diff`. Templates are at most 64 KB; past `maximumCells` comparisons the texts are shown as
/// all removed then all added rather than spending seconds on the table.
struct LineDiff {
    enum Change: String, Encodable {
        case same, added, removed
    }

    struct Line: Encodable, Equatable {
        let change: Change
        let text: String
        /// 1-based line numbers in the old and the new text.
        let old: Int?
        let new: Int?
        /// For templates: which mark the line gets.
        let added: Bool
        let removed: Bool

        init(change: Change, text: String, old: Int?, new: Int?) {
            self.change = change
            self.text = text
            self.old = old
            self.new = new
            added = change == .added
            removed = change == .removed
        }
    }

    static let maximumCells = 4_000_000

    static func lines(from old: String, to new: String) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard a.count * b.count <= maximumCells else {
            return a.enumerated().map { Line(change: .removed, text: $1, old: $0 + 1, new: nil) }
                + b.enumerated().map { Line(change: .added, text: $1, old: nil, new: $0 + 1) }
        }
        // common[i][j]: the longest common run of a[i...] and b[j...], one flat array.
        let width = b.count + 1
        var common = [Int32](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                common[i * width + j] = a[i] == b[j]
                    ? common[(i + 1) * width + j + 1] + 1
                    : max(common[(i + 1) * width + j], common[i * width + j + 1])
            }
        }
        var result: [Line] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append(Line(change: .same, text: a[i], old: i + 1, new: j + 1))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || common[i * width + j + 1] >= common[(i + 1) * width + j] {
                result.append(Line(change: .added, text: b[j], old: nil, new: j + 1))
                j += 1
            } else {
                result.append(Line(change: .removed, text: a[i], old: i + 1, new: nil))
                i += 1
            }
        }
        return result
    }
}
