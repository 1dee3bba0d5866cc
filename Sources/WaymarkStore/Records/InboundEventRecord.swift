import WaymarkCore
import Foundation
import GRDB

/// A row of `inbound_event`: a provider webhook as it arrived, kept for debugging and replay.
/// Rows are written by ingest's `INSERT … ON CONFLICT DO NOTHING` (a replayed event is stored
/// once); this record reads them back.
struct InboundEventRecord: Codable, StoredRecord, Identifiable {
    static let databaseTableName = "inbound_event"

    var id: Int64
    var tenantID: Int64
    var provider: String
    /// `id:<provider event id>`, or `sha256:<hex>` of the body when the provider sends no id.
    var eventKey: String
    var body: Data
    var receivedAt: Date
    var processedAt: Date?
    /// What applying it did, in words.
    var outcome: String?

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", provider, eventKey = "event_key", body, receivedAt = "received_at"
        case processedAt = "processed_at", outcome
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let provider = Column(CodingKeys.provider)
        static let eventKey = Column(CodingKeys.eventKey)
        static let body = Column(CodingKeys.body)
        static let receivedAt = Column(CodingKeys.receivedAt)
        static let processedAt = Column(CodingKeys.processedAt)
        static let outcome = Column(CodingKeys.outcome)
    }

    /// The stored payload this row holds.
    var event: InboundEvent {
        InboundEvent(id: id, provider: provider, body: [UInt8](body), receivedAt: receivedAt)
    }
}
