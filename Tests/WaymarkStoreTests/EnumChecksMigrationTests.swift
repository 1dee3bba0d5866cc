import Foundation
import GRDB
import Testing
import WaymarkCore
@testable import WaymarkStore

/// `v6-enum-checks` rebuilds five tables to add CHECK constraints. It runs on files that hold
/// real data, so it must keep every row, every index and every reference exactly as they were.
@Suite("Migration v6-enum-checks")
struct EnumChecksMigrationTests {
    @Test("A database filled under v5 keeps every row, index and reference, and passes SQLite's checks")
    func keepsEverything() throws {
        let queue = try Self.version5Database()
        try queue.write { db in try db.execute(sql: Self.version5Rows) }
        let rowsBefore = try queue.read(Self.allRows)
        let schemaBefore = try queue.read(Self.indexesAndTriggers)

        try Migrations.migrator.migrate(queue, upTo: "v6-enum-checks")

        let rowsAfter = try queue.read(Self.allRows)
        #expect(rowsAfter == rowsBefore)
        #expect(rowsAfter.values.allSatisfy { !$0.isEmpty }, "every table was filled")
        #expect(try queue.read(Self.indexesAndTriggers) == schemaBefore)
        try queue.read { (db: Database) throws in
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try Migrations.migrator.appliedIdentifiers(db).contains("v6-enum-checks"))
        }
    }

    @Test("The rebuilt tables still cascade from their parents")
    func referencesSurvive() throws {
        let queue = try Self.version5Database()
        try queue.write { db in try db.execute(sql: Self.version5Rows) }
        try Migrations.migrator.migrate(queue, upTo: "v6-enum-checks")

        try queue.write { db in try db.execute(sql: "DELETE FROM shipment WHERE id = 'shp_1'") }

        try queue.read { (db: Database) throws in
            for table in ["checkpoint", "registration_job", "delivery", "delivery_attempt", "subscription"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table)")
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM inbound_event") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message_template") == 1)
        }
    }

    @Test("Afterwards each new constraint refuses a bad value and takes a good one", arguments: [
        Insert(
            table: "checkpoint", good: "in_transit", bad: "teleported",
            sql: """
                INSERT INTO checkpoint (shipment_id, occurred_at, status, message, source, fingerprint, recorded_at)
                VALUES ('shp_1', '2025-06-15 14:00:00.000', ?, 'scan', 'api', 'f-' || ?, '2025-06-15 14:00:00.000')
                """),
        Insert(
            table: "registration_job", good: "shippo", bad: "waymark",
            sql: """
                INSERT INTO registration_job (tenant_id, shipment_id, provider, next_attempt_at, last_error, created_at, updated_at)
                VALUES (1, 'shp_2', ?, '2025-06-15 14:00:00.000', ?, '2025-06-15 14:00:00.000', '2025-06-15 14:00:00.000')
                """),
        Insert(
            table: "inbound_event", good: "17track", bad: "fedex",
            sql: """
                INSERT INTO inbound_event (tenant_id, provider, event_key, body, received_at)
                VALUES (1, ?, 'id:' || ?, X'7B7D', '2025-06-15 14:00:00.000')
                """),
        Insert(
            table: "delivery", good: "shipment.stalled", bad: "shipment.teleported",
            sql: """
                INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, trigger_key, event_type, payload,
                    next_attempt_at, created_at, updated_at)
                VALUES ('msg_' || ?2, 1, 'shp_2', 'email', 'jane@example.com', 'stalled:' || ?2, ?1, '{}',
                    '2025-06-15 14:00:00.000', '2025-06-15 14:00:00.000', '2025-06-15 14:00:00.000')
                """),
        Insert(
            table: "message_template", good: "stalled", bad: "welcome",
            sql: """
                INSERT INTO message_template (tenant_id, channel, name, locale, body, updated_at)
                VALUES (1, 'sms', ?, 'en', 'Hi ' || ?, '2025-06-15 14:00:00.000')
                """),
    ])
    func refusesBadValues(_ insert: Insert) throws {
        let queue = try Self.version5Database()
        try queue.write { db in try db.execute(sql: Self.version5Rows) }
        try Migrations.migrator.migrate(queue, upTo: "v6-enum-checks")

        try queue.write { db in try db.execute(sql: insert.sql, arguments: [insert.good, insert.good]) }
        let refusal = #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: insert.sql, arguments: [insert.bad, insert.bad]) }
        }

        #expect(refusal?.extendedResultCode == .SQLITE_CONSTRAINT_CHECK, "\(insert.table): \(String(describing: refusal))")
    }

    @Test("A v5 row that breaks a new constraint stops the migration, and the file stays at v5")
    func refusesBadRows() throws {
        let queue = try Self.version5Database()
        try queue.write { db in
            try db.execute(sql: Self.version5Rows)
            try db.execute(sql: "UPDATE checkpoint SET status = 'teleported' WHERE id = 2")
        }

        #expect(throws: DatabaseError.self) { try Migrations.migrator.migrate(queue, upTo: "v6-enum-checks") }

        try queue.read { (db: Database) throws in
            #expect(try !Migrations.migrator.appliedIdentifiers(db).contains("v6-enum-checks"))
            #expect(try String.fetchOne(db, sql: "SELECT status FROM checkpoint WHERE id = 2") == "teleported")
            #expect(try !db.tableExists("checkpoint_new"))
        }
    }

    /// One new constraint: an INSERT whose two arguments are the value under test (once as the
    /// value, once to keep the row's key unique), with a value it must take and one it must refuse.
    struct Insert: Sendable, CustomTestStringConvertible {
        var table: String
        var good: String
        var bad: String
        var sql: String
        var testDescription: String { table }
    }

    /// An empty file migrated up to v5, with foreign keys on as the app has them.
    static func version5Database() throws -> DatabaseQueue {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-v5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("v5.sqlite").path, configuration: configuration)
        try Migrations.migrator.migrate(queue, upTo: "v5-delivery-leases")
        return queue
    }

    /// Every table's rows, in rowid order.
    static func allRows(_ db: Database) throws -> [String: [Row]] {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
            """)
        return try Dictionary(uniqueKeysWithValues: tables.map { ($0, try Row.fetchAll(db, sql: "SELECT * FROM \($0) ORDER BY rowid")) })
    }

    /// Every index (automatic ones included, by name), trigger and view, as SQLite stores them.
    static func indexesAndTriggers(_ db: Database) throws -> [Row] {
        try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') ORDER BY name")
    }

    /// At least one row in every table, through every foreign key, as v5 stored them.
    static let version5Rows = """
        INSERT INTO tenant (id, slug, name, created_at, updated_at) VALUES (1, 'shop', 'Shop', '2025-06-15 12:00:00.000', '2025-06-15 12:00:00.000');
        INSERT INTO user (id, email, password_hash, created_at) VALUES (1, 'owner@shop.example', '$2b$12$hash', '2025-06-15 12:00:00.000');
        INSERT INTO membership (tenant_id, user_id, role, created_at) VALUES (1, 1, 'owner', '2025-06-15 12:00:00.000');
        INSERT INTO api_key (id, tenant_id, name, prefix, secret_sha256, created_at)
            VALUES (1, 1, 'Default key', 'wm_abcdefgh', 'c0ffee', '2025-06-15 12:00:00.000');
        INSERT INTO shipment (id, tenant_id, tracking_number, carrier, order_number, customer_email, status, substatus, token,
                created_at, updated_at, last_event_at)
            VALUES ('shp_1', 1, '1Z999AA10123456784', 'ups', 'A-1', 'jane@example.com', 'in_transit', NULL,
                'AAAAAAAAAAAAAAAAAAAAAAAAAAA1', '2025-06-15 12:00:00.000', '2025-06-15 13:00:00.000', '2025-06-15 13:00:00.000'),
            ('shp_2', 1, 'LX123456789DE', 'unknown', NULL, NULL, 'pending', NULL,
                'AAAAAAAAAAAAAAAAAAAAAAAAAAA2', '2025-06-15 12:00:00.000', '2025-06-15 12:00:00.000', NULL);
        INSERT INTO checkpoint (id, shipment_id, occurred_at, utc_offset_seconds, status, substatus, message, city, region, country,
                source, raw_code, fingerprint, recorded_at)
            VALUES (1, 'shp_1', '2025-06-15 12:30:00.000', 7200, 'info_received', NULL, 'Label created', 'Berlin', NULL, 'DE',
                'aftership', 'InfoReceived_001', '1749990600|info_received|label created', '2025-06-15 12:31:00.000'),
            (2, 'shp_1', '2025-06-15 13:00:00.000', NULL, 'in_transit', 'in_transit.arrived_at_hub', 'Arrived at hub', NULL, NULL, NULL,
                'api', NULL, '1749992400|in_transit.arrived_at_hub|arrived at hub', '2025-06-15 13:01:00.000');
        INSERT INTO subscription (id, shipment_id, channel, address, created_at, unsubscribe_token)
            VALUES (1, 'shp_1', 'email', 'jane@example.com', '2025-06-15 12:00:00.000', 'unsubscribe-1');
        INSERT INTO provider_account (tenant_id, provider, secret, api_key, register, created_at, updated_at)
            VALUES (1, 'aftership', 'secret', 'key', 1, '2025-06-15 12:00:00.000', '2025-06-15 12:00:00.000');
        INSERT INTO inbound_event (id, tenant_id, provider, event_key, body, received_at, processed_at, outcome)
            VALUES (1, 1, 'aftership', 'id:e1', X'7B7D', '2025-06-15 12:31:00.000', '2025-06-15 12:31:00.000', '1Z999AA10123456784: 1 new checkpoint(s)');
        INSERT INTO idempotency_key (tenant_id, key, request_sha256, response_status, response_body, created_at)
            VALUES (1, 'retry-1', 'beef', 201, X'7B7D', '2025-06-15 12:00:00.000');
        INSERT INTO registration_job (id, tenant_id, shipment_id, provider, state, attempts, next_attempt_at, last_error, created_at, updated_at)
            VALUES (1, 1, 'shp_1', 'aftership', 'pending', 2, '2025-06-15 12:35:00.000', 'aftership: 503', '2025-06-15 12:00:00.000',
                '2025-06-15 12:05:00.000');
        INSERT INTO webhook_endpoint (id, tenant_id, url, event_types, statuses, secret, created_at, updated_at)
            VALUES ('ep_1', 1, 'https://hooks.example/waymark', '["shipment.status_changed"]', '[]', 'whsec_abc',
                '2025-06-15 12:00:00.000', '2025-06-15 12:00:00.000');
        INSERT INTO delivery (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload, state,
                attempts, next_attempt_at, last_error, created_at, updated_at, delivered_at, lease_owner, lease_expires_at)
            VALUES ('msg_1', 1, 'shp_1', 'webhook', 'ep_1', 'ep_1', 'status:in_transit', 'shipment.status_changed', '{}', 'sending',
                1, '2025-06-15 13:06:00.000', 'HTTP 500', '2025-06-15 13:01:00.000', '2025-06-15 13:01:05.000', NULL,
                'node-a', '2025-06-15 13:11:00.000'),
            ('msg_2', 1, 'shp_1', 'email', 'jane@example.com', NULL, 'status:in_transit', 'shipment.status_changed', '{}', 'delivered',
                1, '2025-06-15 13:01:00.000', NULL, '2025-06-15 13:01:00.000', '2025-06-15 13:01:02.000', '2025-06-15 13:01:02.000',
                NULL, NULL);
        INSERT INTO delivery_attempt (id, delivery_id, attempted_at, outcome, http_status, reply, latency_ms, error)
            VALUES (1, 'msg_1', '2025-06-15 13:01:05.000', 'retry', 500, NULL, 12, 'HTTP 500'),
            (2, 'msg_2', '2025-06-15 13:01:02.000', 'delivered', NULL, '250 OK', 30, NULL);
        INSERT INTO suppression (tenant_id, channel, address, reason, created_at)
            VALUES (1, 'sms', '+15551234567', 'STOP', '2025-06-15 12:00:00.000');
        INSERT INTO message_template (tenant_id, channel, name, locale, subject, body, updated_at)
            VALUES (1, 'email', 'delivered', 'de', 'Zugestellt', '<p>Da!</p>', '2025-06-15 12:00:00.000');
        """
}
