import Foundation
import Logging
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

    /// Adds the line `write` appends to the bytes that wait, in place: it should only copy
    /// bytes it already has, since other lines wait for it. A line past `limit` is dropped.
    func append(_ write: (inout [UInt8]) -> Void) {
        let large = pending.withLock { pending -> Bool in
            let start = pending.bytes.count
            write(&pending.bytes)
            guard pending.bytes.count <= limit else {
                pending.bytes.removeSubrange(start...)
                pending.dropped += 1
                return true
            }
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

/// Log lines in swift-log's `StreamLogHandler` format (`2026-12-05T19:13:48+0000 info waymark:
/// key=value … [module] message`), handed to a `LogWriter`, without that handler's per-request
/// costs: metadata set on a logger (Hummingbird gives every request's logger an id) is formatted
/// only when a line is written, and the time stamp is formatted once a second.
struct LineLogHandler: LogHandler {
    let label: String
    let writer: LogWriter
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // Everything formatted first, then copied once into the writer's buffer: every request
        // writes one of these.
        let timestamp = Self.timestamp()
        // The request log's line has nothing to merge or sort, and usually one field (the
        // request id): it is written without building a list.
        let alone = event.metadata?.isEmpty != false && event.error == nil && metadataProvider == nil && metadata.count < 2
        let single = alone ? metadata.first.map { (key: $0.key, value: $0.value.description) } : nil
        let fields = alone ? [] : self.fields(of: event).map { (key: $0.key, value: $0.value.description) }
        let message = event.message.description
        writer.append { line in
            func append(_ text: String) { line.append(contentsOf: text.utf8) }
            append(timestamp)
            append(" ")
            append(event.level.rawValue)
            append(" ")
            append(label)
            append(":")
            func append(field: (key: String, value: String)) {
                append(" ")
                append(field.key)
                append("=")
                append(field.value)
            }
            if let single { append(field: single) }
            for field in fields { append(field: field) }
            append(" [")
            append(event.source)
            append("] ")
            append(message)
            line.append(UInt8(ascii: "\n"))
        }
    }

    /// The logger's own fields, the provider's and the line's (later ones winning), by key.
    private func fields(of event: LogEvent) -> [(key: String, value: Logger.MetadataValue)] {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged.sorted { $0.key < $1.key }
    }

    private static let lastSecond = Mutex<(second: Int, text: String)>((-1, ""))

    /// Local time as `strftime` writes `%Y-%m-%dT%H:%M:%S%z`, formatted again only when the second changes.
    static func timestamp() -> String {
        var now = time(nil)
        if let cached = lastSecond.withLock({ $0.second == now ? $0.text : nil }) { return cached }
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        let text = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        lastSecond.withLock { $0 = (now, text) }
        return text
    }
}
