import Foundation

/// A shipment as a merchant registers it (API, CLI, import), before it has an id or a token.
/// `validated()` is the single rule book for every way in.
public struct NewShipment: Sendable, Equatable {
    public var trackingNumber: String
    public var carrier: String?
    public var orderNumber: String?
    public var customer: Customer
    public var destination: Destination
    public var eta: Date?
    public var metadata: [String: String]

    public init(
        trackingNumber: String, carrier: String? = nil, orderNumber: String? = nil, customer: Customer = Customer(),
        destination: Destination = Destination(), eta: Date? = nil, metadata: [String: String] = [:]
    ) {
        self.trackingNumber = trackingNumber
        self.carrier = carrier
        self.orderNumber = orderNumber
        self.customer = customer
        self.destination = destination
        self.eta = eta
        self.metadata = metadata
    }

    public static let maxMetadataKeys = 50

    /// The same shipment with every field trimmed and normalized, or every problem found, each
    /// naming its field as the API names it.
    public func validated() throws(ValidationErrors) -> NewShipment {
        var problems: [ValidationError] = []
        var result = self

        let number = TrackingNumber.compact(trackingNumber)
        do { result.trackingNumber = try TrackingNumber.validated(number) } catch { problems.append(error) }

        if let carrier = carrier?.trimmingWhitespace.lowercased(), !carrier.isEmpty {
            if CarrierRegistry.carrier(code: carrier) == nil {
                problems.append(.init("unknown carrier '\(carrier)'; GET /api/v1/carriers lists the codes", field: "carrier"))
            }
            result.carrier = carrier
        } else {
            result.carrier = CarrierDetector.detect(number).first(where: \.valid)?.carrier.code
        }

        result.orderNumber = Self.optionalText(orderNumber, max: 64, field: "order_number", into: &problems)
        result.customer.name = Self.optionalText(customer.name, max: 200, field: "customer.name", into: &problems)
        if let email = Self.optionalText(customer.email, max: 254, field: "customer.email", into: &problems) {
            do { result.customer.email = try EmailAddress(email).value } catch {
                problems.append(.init(error.reason, field: "customer.email"))
            }
        } else {
            result.customer.email = nil
        }
        if let phone = Self.optionalText(customer.phone, max: 32, field: "customer.phone", into: &problems) {
            do { result.customer.phone = try PhoneNumber(phone).value } catch {
                problems.append(.init(error.reason, field: "customer.phone"))
            }
        } else {
            result.customer.phone = nil
        }
        if let locale = Self.optionalText(customer.locale, max: 35, field: "customer.locale", into: &problems) {
            if ShopperLanguage.match(locale) == nil {
                problems.append(.init("'\(locale)' is not a supported language (\(ShopperLanguage.supported.joined(separator: ", ")))", field: "customer.locale"))
            }
            result.customer.locale = ShopperLanguage.match(locale)
        } else {
            result.customer.locale = nil
        }

        result.destination.city = Self.optionalText(destination.city, max: 100, field: "destination.city", into: &problems)
        result.destination.region = Self.optionalText(destination.region, max: 100, field: "destination.region", into: &problems)
        result.destination.postalCode = Self.optionalText(destination.postalCode, max: 16, field: "destination.postal_code", into: &problems)
        if let country = Self.optionalText(destination.country, max: 2, field: "destination.country", into: &problems) {
            let upper = country.uppercased()
            if upper.count == 2, upper.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) { result.destination.country = upper } else {
                problems.append(.init("must be a two-letter ISO 3166 country code like DE", field: "destination.country"))
            }
        } else {
            result.destination.country = nil
        }

        if metadata.count > Self.maxMetadataKeys {
            problems.append(.init("at most \(Self.maxMetadataKeys) keys", field: "metadata"))
        }
        for (key, value) in metadata where key.count > 40 || value.count > 500 || key.isEmpty {
            problems.append(.init("keys are 1 to 40 characters and values at most 500", field: "metadata.\(key.prefix(40))"))
        }

        if !problems.isEmpty { throw ValidationErrors(problems) }
        return result
    }

    /// Trimmed text, nil when empty; reports control characters and overlong values.
    static func optionalText(_ value: String?, max: Int, field: String, into problems: inout [ValidationError]) -> String? {
        guard let trimmed = value?.trimmingWhitespace, !trimmed.isEmpty else { return nil }
        if trimmed.count > max {
            problems.append(.init("must be at most \(max) characters", field: field))
        } else if trimmed.unicodeScalars.contains(where: TextCharacters.isForbidden) {
            problems.append(.init("must not contain line breaks, control or invisible formatting characters", field: field))
        }
        return trimmed
    }
}

/// Several validation problems reported together, so a client can fix them in one go.
public struct ValidationErrors: Error, Equatable, CustomStringConvertible {
    public var problems: [ValidationError]
    public init(_ problems: [ValidationError]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
