import Foundation
import WaymarkCore

/// Scripted parcel journeys for the demo: real routes across countries and time zones, each
/// step a checkpoint a carrier would send. The simulator plays them forward.
public struct DemoJourney: Sendable {
    public struct Step: Sendable {
        let status: DeliveryStatus
        let substatus: String?
        let message: String
        let city: String
        let region: String?
        let country: String
        /// Hours from UTC where the scan happened.
        let utcOffsetHours: Int
    }

    public let carrier: String
    public let destination: Destination
    public let steps: [Step]

    /// The checkpoint for step `index`, stamped at `time`.
    func event(_ index: Int, at time: Date) -> CheckpointEvent {
        let step = steps[index]
        return CheckpointEvent(
            occurredAt: time, utcOffsetSeconds: step.utcOffsetHours * 3600, status: step.status,
            substatus: step.substatus.map { Substatus(status: step.status, reason: $0) }, message: step.message,
            location: Place(city: step.city, region: step.region, country: step.country), source: "simulator")
    }
}

extension DemoJourney.Step {
    init(_ status: DeliveryStatus, _ substatus: String? = nil, _ message: String, _ city: String, _ region: String? = nil, _ country: String, _ offset: Int) {
        self.init(status: status, substatus: substatus, message: message, city: city, region: region, country: country, utcOffsetHours: offset)
    }
}

extension DemoJourney {
    typealias S = Step

    /// Journeys that end in delivery, and a few that end elsewhere, so every status shows up.
    public static let all: [DemoJourney] = [
        DemoJourney(carrier: "dhl", destination: Destination(city: "Berlin", postalCode: "10115", country: "DE"), steps: [
            S(.infoReceived, nil, "Shipment information received", "Shenzhen", "Guangdong", "CN", 8),
            S(.inTransit, "accepted", "Picked up by courier", "Shenzhen", "Guangdong", "CN", 8),
            S(.inTransit, "departed", "Departed facility", "Hong Kong", nil, "HK", 8),
            S(.inTransit, "arrived", "Arrived at sort facility", "Leipzig", "Saxony", "DE", 1),
            S(.inTransit, "customs_cleared", "Customs clearance completed", "Leipzig", "Saxony", "DE", 1),
            S(.outForDelivery, nil, "With delivery courier", "Berlin", nil, "DE", 1),
            S(.delivered, "left_with_neighbor", "Delivered to neighbour", "Berlin", nil, "DE", 1),
        ]),
        DemoJourney(carrier: "ups", destination: Destination(city: "Brooklyn", region: "NY", postalCode: "11201", country: "US"), steps: [
            S(.infoReceived, nil, "Label created", "Los Angeles", "CA", "US", -8),
            S(.inTransit, "accepted", "Picked up", "Los Angeles", "CA", "US", -8),
            S(.inTransit, "arrived", "Arrived at UPS Worldport", "Louisville", "KY", "US", -5),
            S(.inTransit, "departed", "Departed from facility", "Louisville", "KY", "US", -5),
            S(.inTransit, "arrived", "Arrived at facility", "Secaucus", "NJ", "US", -5),
            S(.outForDelivery, nil, "Out for delivery", "Brooklyn", "NY", "US", -5),
            S(.delivered, "signed", "Delivered, signed by resident", "Brooklyn", "NY", "US", -5),
        ]),
        DemoJourney(carrier: "royal-mail", destination: Destination(city: "Lyon", postalCode: "69002", country: "FR"), steps: [
            S(.infoReceived, nil, "Sender preparing item", "London", nil, "GB", 0),
            S(.inTransit, "accepted", "Item received", "London", nil, "GB", 0),
            S(.inTransit, "departed", "Item left the United Kingdom", "Heathrow", nil, "GB", 0),
            S(.inTransit, "arrived_destination_country", "Arrived in France", "Roissy", nil, "FR", 1),
            S(.outForDelivery, nil, "Out for delivery", "Lyon", nil, "FR", 1),
            S(.attemptFail, "recipient_unavailable", "Delivery attempted, recipient absent", "Lyon", nil, "FR", 1),
            S(.availableForPickup, nil, "Available for pickup at La Poste Lyon Bellecour", "Lyon", nil, "FR", 1),
            S(.delivered, "picked_up", "Collected by addressee", "Lyon", nil, "FR", 1),
        ]),
        DemoJourney(carrier: "fedex", destination: Destination(city: "Chicago", region: "IL", postalCode: "60601", country: "US"), steps: [
            S(.infoReceived, nil, "Shipment information sent to FedEx", "Tokyo", nil, "JP", 9),
            S(.inTransit, "accepted", "Picked up", "Tokyo", nil, "JP", 9),
            S(.inTransit, "departed", "Left FedEx origin facility", "Narita", nil, "JP", 9),
            S(.inTransit, "arrived", "Arrived at FedEx hub", "Anchorage", "AK", "US", -9),
            S(.inTransit, "customs_processing", "International shipment release - Import", "Memphis", "TN", "US", -6),
            S(.outForDelivery, nil, "On FedEx vehicle for delivery", "Chicago", "IL", "US", -6),
            S(.delivered, nil, "Delivered", "Chicago", "IL", "US", -6),
        ]),
        DemoJourney(carrier: "correos", destination: Destination(city: "Warszawa", postalCode: "00-001", country: "PL"), steps: [
            S(.infoReceived, nil, "Pre-registered shipment", "Madrid", nil, "ES", 1),
            S(.inTransit, "accepted", "Admitted", "Madrid", nil, "ES", 1),
            S(.inTransit, "departed", "Left the exchange office", "Barcelona", nil, "ES", 1),
            S(.inTransit, "arrived", "Arrived at sorting centre", "Milano", nil, "IT", 1),
            S(.exception, "customs_hold", "Held: documents requested", "Warszawa", nil, "PL", 1),
            S(.inTransit, "customs_cleared", "Released by customs", "Warszawa", nil, "PL", 1),
            S(.outForDelivery, nil, "Handed to courier", "Warszawa", nil, "PL", 1),
            S(.delivered, nil, "Delivered", "Warszawa", nil, "PL", 1),
        ]),
        DemoJourney(carrier: "postnl", destination: Destination(city: "Utrecht", postalCode: "3511 AB", country: "NL"), steps: [
            S(.infoReceived, nil, "Shipment announced", "Utrecht", nil, "NL", 1),
            S(.inTransit, "accepted", "Shipment received by PostNL", "Amsterdam", nil, "NL", 1),
            S(.inTransit, "arrived", "Shipment sorted", "Nieuwegein", nil, "NL", 1),
            S(.exception, "damaged", "Shipment damaged; returning to sender", "Nieuwegein", nil, "NL", 1),
        ]),
        DemoJourney(carrier: "japan-post", destination: Destination(city: "Osaka", postalCode: "530-0001", country: "JP"), steps: [
            S(.infoReceived, nil, "Shipping information received", "Singapore", nil, "SG", 8),
            S(.expired, nil, "No carrier updates for 30 days; tracking stopped", "Singapore", nil, "SG", 8),
        ]),
    ]
}
