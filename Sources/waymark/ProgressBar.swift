import Foundation

/// A one-line progress bar on a terminal's stderr: rows done, rows per second and how much of
/// the work is done (bytes of a file read, rows of a database copied). Redrawn at most ten times
/// a second; silent when stderr is not a terminal, so logs and pipes stay clean.
struct ProgressBar {
    /// The work in all (bytes, rows), when known.
    let total: Int?
    let enabled: Bool
    /// How much of `total` is done.
    var done = 0
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?
    private var drawn = false

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled
        start = clock.now
    }

    var elapsedSeconds: Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Redraws the bar with `rows` done so far, after `label` (what is being worked on) if given.
    mutating func update(rows: Int, label: String? = nil) {
        guard enabled else { return }
        let now = clock.now
        if let lastDrawn, now - lastDrawn < .milliseconds(100) { return }
        lastDrawn = now
        let seconds = elapsedSeconds
        let rate = seconds > 0 ? Int((Double(rows) / seconds).rounded()) : 0
        var line = "\r\u{1B}[K"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int((fraction * Double(width)).rounded(.down))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(Int((fraction * 100).rounded(.down)))%  "
        }
        if let label { line += "\(label)  " }
        line += "\(rows.grouped) rows  \(rate.grouped) rows/s"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    /// Removes the bar so the summary starts on a clean line.
    mutating func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
