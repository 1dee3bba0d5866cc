import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where the server's log lines go: into memory, from where a thread of its own writes them to
/// standard error. A request never waits on the pipe or terminal behind stderr (one synchronous
/// write per request line cost about 40 % of a cached page's time). Lines keep their order; if
/// stderr stops draining, at most `limit` bytes wait and the rest are counted and reported as
/// dropped, never held in memory without bound. `flush()` writes what waits, for the end of the
/// process.
final class LogWriter: Sendable {
    static let standardError = LogWriter(descriptor: STDERR_FILENO)

    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
    }

    private let descriptor: Int32
    private let limit: Int
    private let pending = Mutex(Pending())
    /// Serializes writers to the descriptor (the thread and `flush`), so lines never interleave.
    private let writing = Mutex(())
    private let wake = DispatchSemaphore(value: 0)

    init(descriptor: Int32, limit: Int = 8 << 20) {
        self.descriptor = descriptor
        self.limit = limit
        let thread = Thread { [self] in
            while true {
                _ = wake.wait(timeout: .now() + .milliseconds(20))
                flush()
            }
        }
        thread.name = "waymark-log"
        thread.start()
    }

    func append(_ line: String) {
        let large = pending.withLock { pending -> Bool in
            guard pending.bytes.count + line.utf8.count <= limit else {
                pending.dropped += 1
                return true
            }
            pending.bytes.append(contentsOf: line.utf8)
            return pending.bytes.count >= 64 << 10
        }
        if large { wake.signal() }
    }

    /// Writes every waiting line now.
    func flush() {
        writing.withLock { _ in
            let taken = pending.withLock { pending -> Pending in
                defer { pending = Pending() }
                return pending
            }
            var bytes = taken.bytes
            if taken.dropped > 0 { bytes += Array("[log: \(taken.dropped) line(s) dropped: standard error was not keeping up]\n".utf8) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    buffer.baseAddress.map { write(descriptor, $0 + offset, buffer.count - offset) } ?? 0
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // stderr is gone: nothing better to do with a log line
                }
                if written == 0 { return }
                offset += written
            }
        }
    }
}

/// A `TextOutputStream` for `StreamLogHandler` that hands each line to a `LogWriter`, keeping
/// swift-log's own format.
struct BufferedStream: TextOutputStream, Sendable {
    let writer: LogWriter

    mutating func write(_ string: String) {
        writer.append(string)
    }
}
