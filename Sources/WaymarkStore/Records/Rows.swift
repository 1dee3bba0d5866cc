import Foundation
import GRDB
import WaymarkCore

// Mapping between rows and the domain values of WaymarkCore. Kept here so Core stays free of
// storage concerns, and written out by hand so a column rename is a compile error, not a surprise.

private let jsonEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return encoder
}()

func encodeJSON(_ value: some Encodable) -> String {
    (try? jsonEncoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
    guard let data = text?.data(using: .utf8) else { return nil }
    return try? JSONDecoder().decode(type, from: data)
}

extension Tenant {
    init(row: Row) {
        self.init(
            id: row["id"],
            slug: row["slug"],
            name: row["name"],
            branding: decodeJSON(Branding.self, row["branding"]) ?? Branding(),
            defaultLocale: row["default_locale"],
            timeZone: row["time_zone"],
            customDomain: row["custom_domain"],
            createdAt: row["created_at"]
        )
    }
}

extension Shipment {
    init(row: Row) {
        let status = DeliveryStatus(rawValue: row["status"]) ?? .pending
        self.init(
            id: row["id"],
            tenantID: row["tenant_id"],
            trackingNumber: row["tracking_number"],
            carrier: row["carrier"],
            orderNumber: row["order_number"],
            customer: Customer(
                name: row["customer_name"], email: row["customer_email"], phone: row["customer_phone"],
                locale: row["customer_locale"]),
            destination: Destination(
                city: row["destination_city"], region: row["destination_region"],
                postalCode: row["destination_postal_code"], country: row["destination_country"]),
            status: status,
            substatus: (row["substatus"] as String?).flatMap { try? Substatus(parsing: $0, for: status) },
            eta: row["eta"],
            deliveredAt: row["delivered_at"],
            lastEventAt: row["last_event_at"],
            token: row["token"],
            metadata: decodeJSON([String: String].self, row["metadata"]) ?? [:],
            archivedAt: row["archived_at"],
            registrationError: row["registration_error"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"]
        )
    }

    /// Column values for an INSERT or a full UPDATE.
    var columns: [String: (any DatabaseValueConvertible)?] {
        [
            "id": id, "tenant_id": tenantID, "tracking_number": trackingNumber, "carrier": carrier,
            "order_number": orderNumber, "customer_name": customer.name, "customer_email": customer.email,
            "customer_phone": customer.phone, "customer_locale": customer.locale,
            "destination_city": destination.city, "destination_region": destination.region,
            "destination_postal_code": destination.postalCode,
            "destination_postal_key": destination.postalCode.map(Destination.postalLookupKey),
            "destination_country": destination.country, "status": status.rawValue,
            "substatus": substatus?.description, "eta": eta, "delivered_at": deliveredAt,
            "last_event_at": lastEventAt, "token": token, "metadata": encodeJSON(metadata), "archived_at": archivedAt,
            "registration_error": registrationError, "created_at": createdAt, "updated_at": updatedAt,
        ]
    }
}

extension Checkpoint {
    init(row: Row) {
        let status = DeliveryStatus(rawValue: row["status"]) ?? .pending
        self.init(
            id: row["id"],
            shipmentID: row["shipment_id"],
            event: CheckpointEvent(
                occurredAt: row["occurred_at"],
                utcOffsetSeconds: row["utc_offset_seconds"],
                status: status,
                substatus: (row["substatus"] as String?).flatMap { try? Substatus(parsing: $0, for: status) },
                message: row["message"],
                location: Place(city: row["city"], region: row["region"], country: row["country"]),
                source: row["source"],
                rawCode: row["raw_code"]
            ),
            recordedAt: row["recorded_at"]
        )
    }
}

extension Database {
    /// INSERT of a column dictionary; names come from our own code, never from input.
    func insert(into table: String, _ columns: [String: (any DatabaseValueConvertible)?]) throws {
        let names = columns.keys.sorted()
        let sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
        let values: [(any DatabaseValueConvertible)?] = names.map { columns[$0] ?? nil }
        // Cached: an import runs the same INSERT for every row.
        try cachedStatement(sql: sql).execute(arguments: StatementArguments(values))
    }
}

extension WebhookEndpoint {
    init(row: Row) {
        self.init(
            id: row["id"], tenantID: row["tenant_id"], url: row["url"],
            eventTypes: decodeJSON([String].self, row["event_types"]) ?? [],
            statuses: decodeJSON([DeliveryStatus].self, row["statuses"]) ?? [],
            description: row["description"], secret: row["secret"], previousSecret: row["previous_secret"],
            previousSecretExpiresAt: row["previous_secret_expires_at"], failingSince: row["failing_since"],
            disabledAt: row["disabled_at"], disabledReason: row["disabled_reason"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

extension Delivery {
    init(row: Row) {
        self.init(
            id: row["id"], tenantID: row["tenant_id"], shipmentID: row["shipment_id"],
            channel: NotificationChannel(rawValue: row["channel"]) ?? .email, recipient: row["recipient"],
            triggerKey: row["trigger_key"], eventType: row["event_type"], payload: row["payload"],
            state: DeliveryState(rawValue: row["state"]) ?? .pending, attempts: row["attempts"],
            nextAttemptAt: row["next_attempt_at"], lastError: row["last_error"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], deliveredAt: row["delivered_at"])
    }
}

extension DeliveryAttempt {
    init(row: Row) {
        self.init(
            deliveryID: row["delivery_id"], attemptedAt: row["attempted_at"],
            outcome: AttemptOutcome(rawValue: row["outcome"]) ?? .failed, httpStatus: row["http_status"], reply: row["reply"],
            latencyMilliseconds: row["latency_ms"], error: row["error"])
    }
}
