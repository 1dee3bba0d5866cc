import Testing
import WaymarkCore
@testable import WaymarkProviders

/// Every row of PROVIDERS.md's status table and sub-status lists, provider by provider.
@Suite("Provider status maps")
struct StatusMapTests {
    struct Row: CustomStringConvertible, Sendable {
        var provider: ProviderName
        var code: String
        var expected: String
        var meaning: StatusMeaning
        var description: String { "\(provider.rawValue) \(code) → \(expected)" }
    }

    static func row(_ provider: ProviderName, _ code: String, _ expected: String) -> Row {
        let parts = code.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let first = parts[0], second = parts.count > 1 ? parts[1] : nil
        let meaning = switch provider {
        case .aftership: AfterShipStatus.meaning(tag: nil, subtag: first)
        case .track123: Track123Status.meaning(status: first, subStatus: second)
        case .seventeenTrack: SeventeenTrackStatus.meaning(status: nil, subStatus: first)
        case .easypost: EasyPostStatus.meaning(status: first, detail: second)
        case .shippo: ShippoStatus.meaning(status: first, substatus: second)
        case .waymark: StatusMeaning.unrecognized
        }
        return Row(provider: provider, code: code, expected: expected, meaning: meaning)
    }

    static let rows: [Row] = [
        // The table: one column per provider.
        row(.aftership, "Pending", "pending"), row(.aftership, "InfoReceived", "info_received"), row(.aftership, "InTransit", "in_transit"),
        row(.aftership, "OutForDelivery", "out_for_delivery"), row(.aftership, "AvailableForPickup", "available_for_pickup"),
        row(.aftership, "AttemptFail", "attempt_fail"), row(.aftership, "Delivered", "delivered"), row(.aftership, "Exception", "exception"),
        row(.aftership, "Expired", "expired"),
        row(.track123, "INIT", "pending"), row(.track123, "NO_RECORD", "pending"), row(.track123, "INFO_RECEIVED", "info_received"),
        row(.track123, "IN_TRANSIT", "in_transit"), row(.track123, "WAITING_DELIVERY", "out_for_delivery"),
        row(.track123, "WAITING_DELIVERY/WAITING_DELIVERY_01", "out_for_delivery"),
        row(.track123, "WAITING_DELIVERY/WAITING_DELIVERY_02", "available_for_pickup"), row(.track123, "DELIVERY_FAILED", "attempt_fail"),
        row(.track123, "DELIVERED", "delivered"), row(.track123, "ABNORMAL", "exception"), row(.track123, "EXPIRED", "expired"),
        row(.seventeenTrack, "NotFound", "pending"), row(.seventeenTrack, "InfoReceived", "info_received"),
        row(.seventeenTrack, "InTransit", "in_transit"), row(.seventeenTrack, "OutForDelivery", "out_for_delivery"),
        row(.seventeenTrack, "AvailableForPickup", "available_for_pickup"), row(.seventeenTrack, "DeliveryFailure", "attempt_fail"),
        row(.seventeenTrack, "Delivered", "delivered"), row(.seventeenTrack, "Exception", "exception"), row(.seventeenTrack, "Expired", "expired"),
        row(.easypost, "unknown", "pending"), row(.easypost, "pre_transit", "info_received"), row(.easypost, "in_transit", "in_transit"),
        row(.easypost, "out_for_delivery", "out_for_delivery"), row(.easypost, "available_for_pickup", "available_for_pickup"),
        row(.easypost, "failure/attempted_delivery", "attempt_fail"), row(.easypost, "delivered", "delivered"),
        row(.easypost, "return_to_sender", "exception.returned_to_sender"), row(.easypost, "failure", "exception"),
        row(.easypost, "failure/lost", "exception.lost"), row(.easypost, "cancelled", "exception.cancelled"), row(.easypost, "error", "exception"),
        row(.easypost, "delivered/arrived_at_destination", "delivered"), row(.easypost, "in_transit/weather_delay", "in_transit.delayed"),
        row(.shippo, "UNKNOWN", "pending"), row(.shippo, "PRE_TRANSIT", "info_received"), row(.shippo, "TRANSIT", "in_transit"),
        row(.shippo, "TRANSIT/out_for_delivery", "out_for_delivery"), row(.shippo, "TRANSIT/pickup_available", "available_for_pickup"),
        row(.shippo, "FAILURE", "attempt_fail"), row(.shippo, "DELIVERED", "delivered"), row(.shippo, "RETURNED", "exception.returned_to_sender"),
        row(.shippo, "FAILURE/package_lost", "exception.lost"), row(.shippo, "TRANSIT/package_arrived", "in_transit.arrived"),

        // AfterShip sub-statuses.
        row(.aftership, "Delivered_001", "delivered"), row(.aftership, "Delivered_002", "delivered.picked_up"),
        row(.aftership, "Delivered_003", "delivered.signed"), row(.aftership, "Delivered_004", "delivered.cod_collected"),
        row(.aftership, "Delivered_005", "delivered.left_with_neighbor"), row(.aftership, "AttemptFail_001", "attempt_fail"),
        row(.aftership, "AttemptFail_002", "attempt_fail.recipient_unavailable"), row(.aftership, "AttemptFail_003", "attempt_fail.business_closed"),
        row(.aftership, "Exception_002", "exception.customer_moved"), row(.aftership, "Exception_003", "exception.refused"),
        row(.aftership, "Exception_004", "exception.customs_hold"), row(.aftership, "Exception_005", "exception.delayed"),
        row(.aftership, "Exception_006", "exception.held_for_payment"), row(.aftership, "Exception_007", "exception.address_issue"),
        row(.aftership, "Exception_010", "exception.returning_to_sender"), row(.aftership, "Exception_011", "exception.returned_to_sender"),
        row(.aftership, "Exception_012", "exception.damaged"), row(.aftership, "Exception_013", "exception.lost"),
        row(.aftership, "InTransit_002", "in_transit.accepted"), row(.aftership, "InTransit_003", "in_transit.arrived"),
        row(.aftership, "InTransit_004", "in_transit.arrived_destination_country"), row(.aftership, "InTransit_005", "in_transit.customs_cleared"),
        row(.aftership, "InTransit_006", "in_transit.customs_processing"), row(.aftership, "InTransit_007", "in_transit.departed"),
        row(.aftership, "InTransit_009", "in_transit.forwarded"), row(.aftership, "OutForDelivery_003", "out_for_delivery.customer_contacted"),
        row(.aftership, "OutForDelivery_004", "out_for_delivery.appointment_scheduled"),
        // Unknown codes of known families, and an unknown family.
        row(.aftership, "InTransit_099", "in_transit"), row(.aftership, "Delivered_999", "delivered"), row(.aftership, "Exception_999", "exception"),
        row(.aftership, "Teleported_001", "in_transit"),

        // Track123 sub-statuses.
        row(.track123, "IN_TRANSIT/IN_TRANSIT_01", "in_transit"), row(.track123, "IN_TRANSIT/IN_TRANSIT_02", "in_transit.arrived"),
        row(.track123, "IN_TRANSIT/IN_TRANSIT_03", "in_transit.customs_cleared"), row(.track123, "IN_TRANSIT/IN_TRANSIT_04", "in_transit.departed"),
        row(.track123, "IN_TRANSIT/IN_TRANSIT_05", "in_transit.handed_to_airline"), row(.track123, "IN_TRANSIT/IN_TRANSIT_06", "in_transit.landed"),
        row(.track123, "IN_TRANSIT/IN_TRANSIT_07", "in_transit.at_local_post_office"), row(.track123, "IN_TRANSIT/IN_TRANSIT_08", "in_transit.departed"),
        row(.track123, "WAITING_DELIVERY/WAITING_DELIVERY_03", "out_for_delivery.delivery_rescheduled"),
        row(.track123, "DELIVERED/DELIVERED_01", "delivered"), row(.track123, "DELIVERED/DELIVERED_02", "delivered.picked_up"),
        row(.track123, "DELIVERED/DELIVERED_03", "delivered.signed"), row(.track123, "DELIVERED/DELIVERED_04", "delivered.left_with_neighbor"),
        row(.track123, "DELIVERY_FAILED/DELIVERY_FAILED_01", "attempt_fail.address_issue"),
        row(.track123, "DELIVERY_FAILED/DELIVERY_FAILED_02", "attempt_fail.recipient_unavailable"),
        row(.track123, "DELIVERY_FAILED/DELIVERY_FAILED_03", "attempt_fail.recipient_unreachable"),
        row(.track123, "DELIVERY_FAILED/DELIVERY_FAILED_04", "attempt_fail"),
        row(.track123, "ABNORMAL/ABNORMAL_01", "exception.unclaimed"), row(.track123, "ABNORMAL/ABNORMAL_02", "exception.customs_hold"),
        row(.track123, "ABNORMAL/ABNORMAL_03", "exception.lost_or_damaged"), row(.track123, "ABNORMAL/ABNORMAL_04", "exception.cancelled"),
        row(.track123, "ABNORMAL/ABNORMAL_05", "exception.refused"), row(.track123, "ABNORMAL/ABNORMAL_06", "exception.returned_to_sender"),
        row(.track123, "ABNORMAL/ABNORMAL_07", "exception.returning_to_sender"), row(.track123, "ABNORMAL/ABNORMAL_08", "exception"),
        row(.track123, "ABNORMAL/ABNORMAL_77", "exception"), row(.track123, "/DELIVERED_09", "delivered"), row(.track123, "MYSTERY", "in_transit"),

        // 17TRACK sub-statuses.
        row(.seventeenTrack, "InTransit_PickedUp", "in_transit.accepted"), row(.seventeenTrack, "InTransit_Departure", "in_transit.departed"),
        row(.seventeenTrack, "InTransit_Arrival", "in_transit.arrived"),
        row(.seventeenTrack, "InTransit_CustomsProcessing", "in_transit.customs_processing"),
        row(.seventeenTrack, "InTransit_CustomsReleased", "in_transit.customs_cleared"),
        row(.seventeenTrack, "InTransit_CustomsRequiringInformation", "in_transit.customs_information_required"),
        row(.seventeenTrack, "DeliveryFailure_NoBody", "attempt_fail.recipient_unavailable"),
        row(.seventeenTrack, "DeliveryFailure_Security", "attempt_fail.security_issue"),
        row(.seventeenTrack, "DeliveryFailure_Rejected", "attempt_fail.refused"),
        row(.seventeenTrack, "DeliveryFailure_InvalidAddress", "attempt_fail.address_issue"),
        row(.seventeenTrack, "Exception_Returning", "exception.returning_to_sender"),
        row(.seventeenTrack, "Exception_Returned", "exception.returned_to_sender"),
        row(.seventeenTrack, "InTransit_Other", "in_transit"), row(.seventeenTrack, "Delivered_Other", "delivered"),
        row(.seventeenTrack, "Exception_Other", "exception"), row(.seventeenTrack, "Expired_Other", "expired"),
        row(.seventeenTrack, "NotFound_Other", "pending"), row(.seventeenTrack, "Lost_In_Space", "in_transit"),
    ]

    @Test("Each provider code maps as the table says", arguments: rows)
    func maps(row: Row) {
        #expect(row.meaning.description == row.expected)
    }

    @Test("Every substatus the maps produce is valid snake_case of its own status")
    func substatusesAreWellFormed() throws {
        var meanings = Array(AfterShipStatus.vocabulary.codes.values) + Array(Track123Status.vocabulary.codes.values)
        meanings += Array(SeventeenTrackStatus.vocabulary.codes.values) + Array(SeventeenTrackStatus.stages.values)
        meanings += Array(ShippoStatus.substatusMeanings.values) + Array(ShippoStatus.statuses.values)
        meanings += EasyPostStatus.reasons.values.map { StatusMeaning(.exception, $0) }
        meanings += ShippoStatus.reasons.values.map { StatusMeaning(.inTransit, $0) }
        for meaning in meanings {
            guard let substatus = meaning.substatus else { continue }
            #expect(try Substatus(parsing: substatus.description, for: meaning.status) == substatus)
        }
    }

    @Test("17TRACK event stages map to the same meanings as their sub-statuses")
    func seventeenTrackStages() {
        #expect(SeventeenTrackStatus.eventMeaning(stage: "PickedUp", subStatus: nil)?.description == "in_transit.accepted")
        #expect(SeventeenTrackStatus.eventMeaning(stage: "Returned", subStatus: nil)?.description == "exception.returned_to_sender")
        #expect(SeventeenTrackStatus.eventMeaning(stage: "Delivered", subStatus: "Delivered_Other")?.description == "delivered")
        #expect(SeventeenTrackStatus.eventMeaning(stage: nil, subStatus: nil) == nil)
    }
}
