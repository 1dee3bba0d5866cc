// The baseline of the ingest benchmark (scripts/bench/ingest.py): the rows one provider event
// writes, inserted with GRDB directly, one durable transaction per event, as fast as SQLite
// takes them. No HTTP, no JSON, no signature, no rules: what is left is the floor that
// Waymark's ingest is compared with.
//
//     waymark-bench raw-ingest DB ROWS.tsv
//
// ROWS.tsv has one event per line: tenant id, tracking number, occurred_at, status, message,
// fingerprint, body (tab-separated; the body is the provider's JSON). Prints one JSON line.
import Foundation
import GRDB

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

/// The same connection settings as the server: WAL, synchronous FULL, foreign keys.
func openPool(_ path: String) throws -> DatabasePool {
    var config = Configuration()
    config.foreignKeysEnabled = true
    config.busyMode = .timeout(10)
    let pool = try DatabasePool(path: path, configuration: config)
    try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    return pool
}

func rawIngest(database: String, rows: String) throws {
    let events = readEvents(rows)
    let pool = try openPool(database)
    let clock = ContinuousClock()
    let started = clock.now
    for (n, event) in events.enumerated() {
        try pool.write { db in
            let now = Date()
            try db.execute(sql: """
                INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at) VALUES (?, 'aftership', ?, ?, ?)
                """, arguments: [event.tenantID, "raw:\(n)", event.body, now])
            let eventID = db.lastInsertedRowID
            guard let shipmentID = try String.fetchOne(db, sql: """
                SELECT id FROM shipment WHERE tenant_id = ? AND tracking_number = ?
                """, arguments: [event.tenantID, event.trackingNumber])
            else { fail("no shipment \(event.trackingNumber)") }
            try db.execute(sql: """
                INSERT INTO checkpoint (shipment_id, occurred_at, utc_offset_seconds, status, substatus, message,
                    city, region, country, source, raw_code, fingerprint, recorded_at)
                VALUES (?, ?, 0, ?, NULL, ?, 'Denver', NULL, 'US', 'aftership', ?, ?, ?)
                """, arguments: [shipmentID, event.occurredAt, event.status, event.message, event.status, event.fingerprint, now])
            try db.execute(sql: """
                UPDATE shipment SET status = ?, last_event_at = ?, updated_at = ? WHERE id = ?
                """, arguments: [event.status, event.occurredAt, now, shipmentID])
            try db.execute(sql: "UPDATE inbound_event SET processed_at = ?, outcome = '1 new checkpoint' WHERE id = ?", arguments: [now, eventID])
        }
    }
    let seconds = (clock.now - started) / .seconds(1)
    print(#"{"events": \#(events.count), "seconds": \#(seconds), "events_per_second": \#(Double(events.count) / seconds)}"#)
}

let arguments = CommandLine.arguments.dropFirst()
switch (arguments.first, arguments.count) {
case ("raw-ingest", 3):
    do {
        try rawIngest(database: arguments[arguments.startIndex + 1], rows: arguments[arguments.startIndex + 2])
    } catch {
        fail("\(error)")
    }
default:
    fail("usage: waymark-bench raw-ingest DB ROWS.tsv")
}
