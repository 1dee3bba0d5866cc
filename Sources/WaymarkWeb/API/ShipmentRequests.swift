import Foundation
import WaymarkCore

/// The body of `POST /api/v1/shipments`. Unknown fields are ignored; `id`, `status`,
/// `tenant_id`, `created_at` and the like are not fields here, so they can't be mass-assigned.
public struct ShipmentInput: Decodable, Sendable {
    public var tracking_number: String?
    public var carrier: String?
    public var order_number: String?
    public var customer: ShipmentResource.CustomerResource?
    public var destination: Destination?
    public var eta: String?
    public var metadata: [String: String]?

    /// The domain draft, or the problems with this input.
    public func draft() throws(ValidationErrors) -> NewShipment {
        var check = InputRules.Check()
        check.field("tracking_number", tracking_number, InputRules.trackingNumber)
        // The schema's carrier is one of the codes or null; an empty string is neither.
        if carrier?.isEmpty == true { check.problems.append(.init("must not be empty; leave the field out or send null", field: "carrier")) }
        check.field("order_number", order_number, InputRules.orderNumber)
        check.field("customer.name", customer?.name, InputRules.name)
        check.field("customer.email", customer?.email, InputRules.email)
        check.field("customer.phone", customer?.phone, InputRules.phone)
        check.field("destination.city", destination?.city, InputRules.place)
        check.field("destination.region", destination?.region, InputRules.place)
        check.field("destination.postal_code", destination?.postalCode, InputRules.postalCode)
        check.field("destination.country", destination?.country, InputRules.country)
        check.field("eta", eta, InputRules.day)
        check.metadata(metadata)
        return try check.finish { () throws(ValidationErrors) in try domainDraft() }
    }

    private func domainDraft() throws(ValidationErrors) -> NewShipment {
        var etaProblems: [ValidationError] = []
        let etaDate = eta.flatMap(RFC3339.parseDay)
        if eta != nil && etaDate == nil { etaProblems.append(.init("is not a calendar day (e.g. February 30)", field: "eta")) }
        let draft = NewShipment(
            trackingNumber: tracking_number ?? "", carrier: carrier, orderNumber: order_number,
            customer: Customer(name: customer?.name, email: customer?.email, phone: customer?.phone, locale: customer?.locale),
            destination: destination ?? Destination(), eta: etaDate, metadata: metadata ?? [:])
        switch Result(catching: { () throws(ValidationErrors) in try draft.validated() }) {
        case .failure(let errors): throw ValidationErrors(errors.problems + etaProblems)
        case .success(let valid):
            if !etaProblems.isEmpty { throw ValidationErrors(etaProblems) }
            return valid
        }
    }
}

/// `PATCH /api/v1/shipments/{id}`: a JSON merge patch of the changeable details. An absent
/// field keeps its value, `null` clears it; `customer` and `destination` merge field by field.
struct ShipmentPatch: Decodable {
    var order_number: PatchField<String> = .keep
    var customer: CustomerPatch?
    var destination: DestinationPatch?
    var metadata: PatchField<[String: String]> = .keep
    var archived: Bool?

    struct CustomerPatch: Decodable {
        var name: PatchField<String> = .keep
        var email: PatchField<String> = .keep
        var phone: PatchField<String> = .keep
        var locale: PatchField<String> = .keep

        /// Changes nothing.
        init() {}

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.patch(.name)
            email = try c.patch(.email)
            phone = try c.patch(.phone)
            locale = try c.patch(.locale)
        }

        enum CodingKeys: String, CodingKey { case name, email, phone, locale }
    }

    struct DestinationPatch: Decodable {
        var city: PatchField<String> = .keep
        var region: PatchField<String> = .keep
        var postal_code: PatchField<String> = .keep
        var country: PatchField<String> = .keep

        /// Changes nothing.
        init() {}

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            city = try c.patch(.city)
            region = try c.patch(.region)
            postal_code = try c.patch(.postal_code)
            country = try c.patch(.country)
        }

        enum CodingKeys: String, CodingKey { case city, region, postal_code, country }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        order_number = try c.patch(.order_number)
        customer = try c.decodeUnlessAbsent(CustomerPatch.self, forKey: .customer)
        destination = try c.decodeUnlessAbsent(DestinationPatch.self, forKey: .destination)
        metadata = try c.patch(.metadata)
        archived = try c.decodeUnlessAbsent(Bool.self, forKey: .archived)
    }

    enum CodingKeys: String, CodingKey { case order_number, customer, destination, metadata, archived }

    /// The shipment's details after this patch, validated by the same rules as a new shipment.
    func applied(to shipment: Shipment) throws(ValidationErrors) -> ShipmentDetails {
        var check = InputRules.Check()
        check.field("order_number", order_number.value, InputRules.orderNumber)
        check.field("customer.name", customer?.name.value, InputRules.name)
        check.field("customer.email", customer?.email.value, InputRules.email)
        check.field("customer.phone", customer?.phone.value, InputRules.phone)
        check.field("destination.city", destination?.city.value, InputRules.place)
        check.field("destination.region", destination?.region.value, InputRules.place)
        check.field("destination.postal_code", destination?.postal_code.value, InputRules.postalCode)
        check.field("destination.country", destination?.country.value, InputRules.country)
        check.metadata(metadata.value)
        return try check.finish { () throws(ValidationErrors) in try domainApplied(to: shipment) }
    }

    private func domainApplied(to shipment: Shipment) throws(ValidationErrors) -> ShipmentDetails {
        let customer = customer ?? CustomerPatch()
        let destination = destination ?? DestinationPatch()
        let draft = NewShipment(
            trackingNumber: shipment.trackingNumber,
            carrier: nil,
            orderNumber: order_number.apply(to: shipment.orderNumber),
            customer: Customer(
                name: customer.name.apply(to: shipment.customer.name),
                email: customer.email.apply(to: shipment.customer.email),
                phone: customer.phone.apply(to: shipment.customer.phone),
                locale: customer.locale.apply(to: shipment.customer.locale)),
            destination: Destination(
                city: destination.city.apply(to: shipment.destination.city),
                region: destination.region.apply(to: shipment.destination.region),
                postalCode: destination.postal_code.apply(to: shipment.destination.postalCode),
                country: destination.country.apply(to: shipment.destination.country)),
            metadata: metadata.apply(to: shipment.metadata) ?? [:])
        let valid = try draft.validated()
        return ShipmentDetails(
            orderNumber: valid.orderNumber, customer: valid.customer, destination: valid.destination, metadata: valid.metadata,
            archived: archived ?? (shipment.archivedAt != nil))
    }
}

/// One field of a merge patch: left alone, cleared with `null`, or set.
enum PatchField<Value: Decodable>: Decodable {
    case keep, clear, set(Value)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .clear : .set(try container.decode(Value.self))
    }

    /// The new value when the patch sets one.
    var value: Value? {
        if case .set(let value) = self { value } else { nil }
    }

    func apply(to current: Value?) -> Value? {
        switch self {
        case .keep: current
        case .clear: nil
        case .set(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    func patch<Value: Decodable>(_ key: Key) throws -> PatchField<Value> {
        contains(key) ? try decode(PatchField<Value>.self, forKey: key) : .keep
    }

    /// nil when the key is absent; a `null` value is an error (unlike `decodeIfPresent`), for
    /// fields that can be left out but not cleared.
    func decodeUnlessAbsent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        contains(key) ? try decode(type, forKey: key) : nil
    }
}

/// `POST /api/v1/shipments/{id}/events`: one checkpoint pushed by the merchant.
struct CheckpointInput: Decodable {
    var status: String?
    var substatus: String?
    var message: String?
    var occurred_at: String?
    var location: Place?

    func event(now: Date) throws(ValidationErrors) -> CheckpointEvent {
        var check = InputRules.Check()
        check.field("message", message, InputRules.message)
        check.field("occurred_at", occurred_at, InputRules.timestamp)
        check.field("substatus", substatus, InputRules.substatus)
        check.field("location.city", location?.city, InputRules.place)
        check.field("location.region", location?.region, InputRules.place)
        check.field("location.country", location?.country, InputRules.country)
        return try check.finish { () throws(ValidationErrors) in
            try CheckpointEvent.validated(
                status: status, substatus: substatus, message: message, occurredAt: occurred_at, location: location, source: "api", now: now)
        }
    }
}

/// `POST /api/v1/shipments/batch`: each item is decoded and validated on its own, so a malformed
/// or invalid item fails alone and the others are still saved.
struct BatchRequest: Decodable {
    var shipments: [BatchItem]

    struct BatchItem: Decodable {
        var input: Result<ShipmentInput, APIProblem>

        init(from decoder: any Decoder) throws {
            // An item that is not even an object makes the whole request malformed.
            _ = try decoder.container(keyedBy: AnyKey.self)
            do {
                input = .success(try ShipmentInput(from: decoder))
            } catch let error as DecodingError {
                input = .failure(APIProblem(
                    status: .badRequest, type: "urn:waymark:problem:malformed-json", title: "Malformed item",
                    detail: ShipmentsController.describe(error)))
            }
        }
    }
}

/// Any key, to ask whether a JSON value is an object at all.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The query of `GET /api/v1/shipments`, checked: a bad parameter is a 400 naming it.
struct ShipmentListQuery {
    var filter = ShipmentFilter()
    var limit = 50
    var cursor: ShipmentCursor?

    static let maxLimit = 100

    init(_ query: [String: String]) throws(ValidationErrors) {
        var problems: [ValidationError] = []
        if let status = query["status"] {
            if let parsed = DeliveryStatus(rawValue: status) { filter.status = parsed } else {
                problems.append(.init("must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))", field: "status"))
            }
        }
        filter.carrier = query["carrier"].flatMap { $0.isEmpty ? nil : $0 }
        filter.trackingNumber = query["tracking_number"].flatMap { $0.isEmpty ? nil : $0 }
        filter.orderNumber = query["order_number"].flatMap { $0.isEmpty ? nil : $0 }
        filter.email = query["email"].flatMap { $0.isEmpty ? nil : $0 }
        for (name, set) in [("created_after", { (date: Date, f: inout ShipmentFilter) in f.createdAfter = date }),
                            ("created_before", { (date: Date, f: inout ShipmentFilter) in f.createdBefore = date })] {
            guard let text = query[name] else { continue }
            if let stamp = RFC3339.parse(text) { set(stamp.date, &filter) } else {
                problems.append(.init("must be an RFC 3339 time like 2026-11-27T00:00:00Z", field: name))
            }
        }
        if let archived = query["archived"] {
            switch archived {
            case "true": filter.archived = true
            case "false": filter.archived = false
            default: problems.append(.init("must be true or false", field: "archived"))
            }
        }
        if let text = query["limit"] {
            if let value = Int(text), (1...Self.maxLimit).contains(value) { limit = value } else {
                problems.append(.init("must be a whole number from 1 to \(Self.maxLimit)", field: "limit"))
            }
        }
        if let token = query["cursor"] {
            if let parsed = ShipmentCursor(token: token) { cursor = parsed } else {
                problems.append(.init("is not a cursor this API returned; start again without it", field: "cursor"))
            }
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
    }
}
