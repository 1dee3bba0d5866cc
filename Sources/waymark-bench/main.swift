// Baselines for the benchmarks in scripts/bench.
//
// raw-ingest: the baseline of the ingest benchmark (scripts/bench/ingest.py): the rows one provider event
// writes, inserted with GRDB directly, as fast as SQLite takes them, in durable transactions of
// BATCH events (1: one commit per event; Waymark's group commit takes up to 128). No HTTP, no
// JSON, no signature, no rules: what is left is what Waymark's ingest is compared with.
//
//     waymark-bench raw-ingest DB ROWS.tsv [BATCH]
//
// ROWS.tsv has one event per line: tenant id, tracking number, occurred_at, status, message,
// fingerprint, body (tab-separated; the body is the provider's JSON). Prints one JSON line.
import Foundation
import GRDB
import Hummingbird

struct Event {
    let tenantID: Int64
    let trackingNumber: String
    let occurredAt: String
    let status: String
    let message: String
    let fingerprint: String
    let body: Data
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("waymark-bench: \(message)\n".utf8))
    exit(2)
}

func readEvents(_ path: String) -> [Event] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    return text.split(separator: "\n").map { line in
        let fields = line.split(separator: "\t", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, let tenantID = Int64(fields[0]) else { fail("bad line in \(path): \(line.prefix(80))") }
        return Event(tenantID: tenantID, trackingNumber: fields[1], occurredAt: fields[2], status: fields[3], message: fields[4],
                     fingerprint: fields[5], body: Data(fields[6].utf8))
    }
}

/// The same connection settings as the server: WAL checkpointed at 8,192 pages, a 16 MiB page
/// cache, synchronous FULL, foreign keys.
func openPool(_ path: String) throws -> DatabasePool {
    var config = Configuration()
    config.foreignKeysEnabled = true
    config.busyMode = .timeout(10)
    let pool = try DatabasePool(path: path, configuration: config)
    try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 8192; PRAGMA cache_size = -16384") }
    return pool
}

/// The rows of one event: its payload, its checkpoint, the shipment's new status. Statements
/// are prepared once, as a careful hand-written writer would.
func insert(_ event: Event, number: Int, _ db: Database) throws {
    let now = Date()
    try db.cachedStatement(sql: """
        INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at) VALUES (?, 'aftership', ?, ?, ?)
        """).execute(arguments: [event.tenantID, "raw:\(number)", event.body, now])
    let eventID = db.lastInsertedRowID
    guard let shipmentID = try String.fetchOne(db.cachedStatement(sql: """
        SELECT id FROM shipment WHERE tenant_id = ? AND tracking_number = ?
        """), arguments: [event.tenantID, event.trackingNumber])
    else { fail("no shipment \(event.trackingNumber)") }
    try db.cachedStatement(sql: """
        INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
            city, region, country, source, raw_code, fingerprint, recorded_at)
        VALUES (?, ?, 0, ?, NULL, ?, 'Denver', NULL, 'US', 'aftership', ?, ?, ?)
        """).execute(arguments: [shipmentID, event.occurredAt, event.status, event.message, event.status, event.fingerprint, now])
    try db.cachedStatement(sql: "UPDATE shipment SET status = ?, last_event_at = ?, updated_at = ? WHERE id = ?")
        .execute(arguments: [event.status, event.occurredAt, now, shipmentID])
    try db.cachedStatement(sql: "UPDATE inbound_event SET processed_at = ?, outcome = '1 new checkpoint' WHERE id = ?")
        .execute(arguments: [now, eventID])
}

func rawIngest(database: String, rows: String, batch: Int) throws {
    let events = readEvents(rows)
    let pool = try openPool(database)
    let clock = ContinuousClock()
    let started = clock.now
    for first in stride(from: 0, to: events.count, by: batch) {
        try pool.write { db in
            for number in first..<min(first + batch, events.count) {
                try insert(events[number], number: number, db)
            }
        }
    }
    let seconds = (clock.now - started) / .seconds(1)
    print(#"{"events": \#(events.count), "batch": \#(batch), "seconds": \#(seconds), "events_per_second": \#(Double(events.count) / seconds)}"#)
}

let arguments = CommandLine.arguments.dropFirst()
let values = Array(arguments)
switch (values.first, values.count) {
case ("raw-ingest", 3), ("raw-ingest", 4):
    guard let batch = values.count == 4 ? Int(values[3]) : 1, batch >= 1 else { fail("BATCH must be a whole number from 1") }
    do {
        try rawIngest(database: values[1], rows: values[2], batch: batch)
    } catch {
        fail("\(error)")
    }
case ("bare-http", 3):
    // The tracking page's ceiling on this stack (scripts/bench/tracking_page.py): the same
    // Hummingbird, no middleware, no logging, answering FILE's bytes from memory at every path.
    guard let port = Int(values[2]), let page = FileManager.default.contents(atPath: values[1]) else {
        fail("usage: waymark-bench bare-http FILE PORT")
    }
    let body = ByteBuffer(bytes: page)
    let router = Router()
    router.get("**") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: body))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    do {
        try await app.runService()
    } catch {
        fail("\(error)")
    }
default:
    fail("usage: waymark-bench raw-ingest DB ROWS.tsv [BATCH] | bare-http FILE PORT")
}
