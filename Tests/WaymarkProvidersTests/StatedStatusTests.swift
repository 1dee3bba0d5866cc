import Foundation
import Testing
import WaymarkCore
@testable import WaymarkProviders

/// Status codes as providers and their examples really write them, and the provider's own
/// statement of the current status, which wins over the events when they disagree.
@Suite("Provider codes and stated status")
struct StatedStatusTests {
    func decode(_ provider: ProviderName, _ body: String) throws -> InboundUpdate {
        try #require(try ProviderAdapters.adapter(for: provider).decode(InboundRequest(body: Array(body.utf8), headers: [:])).updates.first)
    }

    /// The status a shipment holding these checkpoints takes.
    func resolved(_ events: [CheckpointEvent]) -> String {
        let resolution = ShipmentStatusRule.resolve(events)
        return resolution.substatus?.description ?? resolution.status.rawValue
    }

    @Test("Codes match whatever their case and separators", arguments: [
        (ProviderName.track123, "Delivered", nil as String?, "delivered"), (.track123, "DELIVERED", nil, "delivered"),
        (.track123, "delivered", nil, "delivered"), (.track123, "Delivered", "Delivered_001", "delivered"),
        (.track123, "Delivered", "DELIVERED-04", "delivered.left_with_neighbor"), (.track123, "waiting delivery", "Waiting_Delivery_02", "available_for_pickup"),
        (.aftership, "delivered", "delivered_005", "delivered.left_with_neighbor"), (.aftership, "INTRANSIT", "IN-TRANSIT-007", "in_transit.departed"),
        (.seventeenTrack, "deliveryfailure", "DELIVERYFAILURE_NOBODY", "attempt_fail.recipient_unavailable"),
        (.easypost, "IN_TRANSIT", "Weather-Delay", "in_transit.delayed"), (.easypost, "Failure", "ATTEMPTED_DELIVERY", "attempt_fail"),
        (.shippo, "transit", "OUT_FOR_DELIVERY", "out_for_delivery"), (.shippo, "Delivered", nil, "delivered"),
    ])
    func caseAndSeparators(provider: ProviderName, status: String, code: String?, expected: String) {
        #expect(Self.meaning(provider, status: status, code: code).description == expected)
    }

    @Test("An unknown sub-status falls back to its family: the status beside it, else the family it begins with", arguments: [
        (ProviderName.track123, "DELIVERED" as String?, "DELIVERED_09", "delivered"), (.track123, "Delivered", "Delivered", "delivered"),
        (.track123, "IN_TRANSIT", "SOMETHING_NEW", "in_transit"), (.track123, nil, "ABNORMAL_99", "exception"),
        (.aftership, nil, "Exception_099", "exception"), (.aftership, "AttemptFail", "Whatever_1", "attempt_fail"),
        (.seventeenTrack, nil, "Exception_Unheard", "exception"), (.seventeenTrack, "Delivered", "Delivered_Other", "delivered"),
        (.shippo, "DELIVERED", "some_new_code", "delivered"), (.easypost, "delivered", "new_detail", "delivered"),
    ])
    func familyFallback(provider: ProviderName, status: String?, code: String, expected: String) {
        #expect(Self.meaning(provider, status: status, code: code).description == expected)
    }

    static func meaning(_ provider: ProviderName, status: String?, code: String?) -> StatusMeaning {
        switch provider {
        case .track123: Track123Status.meaning(status: status, subStatus: code)
        case .aftership: AfterShipStatus.meaning(tag: status, subtag: code)
        case .seventeenTrack: SeventeenTrackStatus.meaning(status: status, subStatus: code)
        case .easypost: EasyPostStatus.meaning(status: status, detail: code)
        case .shippo: ShippoStatus.meaning(status: status, substatus: code)
        case .waymark: .unrecognized
        }
    }

    @Test("Track123's help-centre example: title-case status and sub-status, events without codes")
    func track123TitleCase() throws {
        let update = try decode(.track123, """
            {"trackingNumber": "RM123456789GB", "carrierInfo": {"code": "royal-mail"}, "transitStatus": "Delivered", "transitSubStatus": "Delivered",
             "trackInfo": [{"eventTime": "2026-07-02T14:05:00+01:00", "eventDetail": "Delivered", "eventLocation": "Manchester"},
                           {"eventTime": "2026-07-01T09:15:00+01:00", "eventDetail": "Item received", "eventLocation": "London"}]}
            """)
        #expect(resolved(update.events) == "delivered")
        #expect(update.events.last?.rawCode == "Delivered", "the raw code is kept")
    }

    @Test("An unknown sub-status keeps its raw code on the checkpoint")
    func rawCodeKept() throws {
        let update = try decode(.track123, """
            {"data": {"trackNo": "X1", "transitStatus": "ABNORMAL", "transitSubStatus": "ABNORMAL_42",
             "localLogisticsInfo": {"trackingDetails": [{"eventTime": "2026-07-02T10:00:00Z", "eventDetail": "Held", "transitSubStatus": "ABNORMAL_42"}]}}}
            """)
        #expect(update.events.map(\.status) == [.exception])
        #expect(update.events.map(\.rawCode) == ["ABNORMAL_42"])
    }

    /// An EasyPost tracker that EasyPost calls delivered, whose details are out of time order.
    static let easypostOutOfOrder = """
        {"id": "evt_1", "object": "Event", "description": "tracker.updated", "result": {"id": "trk_1", "tracking_code": "EZ4000000004",
         "carrier": "USPS", "status": "delivered", "status_detail": "arrived_at_destination", "tracking_details": [
          {"message": "Pre-shipment info", "status": "pre_transit", "datetime": "2026-07-01T08:00:00Z"},
          {"message": "Delivered", "status": "delivered", "status_detail": "arrived_at_destination", "datetime": "2026-07-03T10:00:00Z"},
          {"message": "Out for delivery", "status": "out_for_delivery", "datetime": "2026-07-03T11:00:00Z"}]}}
        """

    @Test("EasyPost: result.status wins over an out-of-order newest event")
    func easypostStated() throws {
        let update = try decode(.easypost, Self.easypostOutOfOrder)
        #expect(resolved(update.events) == "delivered")
        let newest = try #require(ShipmentStatusRule.newest(of: update.events))
        #expect(newest.rawCode == "delivered/arrived_at_destination")
        #expect(newest.occurredAt > utc(2026, 7, 3, 11), "just after the newest event, not before it")
        #expect(newest.occurredAt < utc(2026, 7, 3, 11, 0, 1))
        #expect(update.events.count == 4, "the provider's events are all kept")
    }

    @Test("17TRACK: latest_status Exception wins over a newest stage of AvailableForPickup")
    func seventeenTrackStated() throws {
        let update = try decode(.seventeenTrack, """
            {"event": "TRACKING_UPDATED", "data": {"number": "LX123456789CN", "carrier": 3011, "track_info": {
              "latest_status": {"status": "Exception", "sub_status": "Exception_Other"},
              "latest_event": {"time_iso": "2026-07-04T09:00:00+02:00", "description": "Held at pickup point", "stage": "AvailableForPickup"},
              "tracking": {"providers": [{"events": [
                {"time_iso": "2026-07-04T09:00:00+02:00", "description": "Held at pickup point", "stage": "AvailableForPickup"},
                {"time_iso": "2026-07-02T09:00:00+02:00", "description": "Arrived", "stage": "Arrival"}]}]}}}}
            """)
        #expect(resolved(update.events) == "exception")
        #expect(update.events.filter { $0.message == "Held at pickup point" }.map(\.status) == [.availableForPickup, .exception])
    }

    @Test("Shippo: tracking_status wins over a newer history entry; when it is the newest, nothing is added")
    func shippoStated() throws {
        func body(currentTime: String) -> String {
            """
            {"event": "track_updated", "test": true, "data": {"tracking_number": "SHIPPO_DELIVERED", "carrier": "shippo", "tracking_status":
              {"status": "DELIVERED", "status_details": "Your package has been delivered.", "status_date": "\(currentTime)"},
             "tracking_history": [{"status": "TRANSIT", "status_details": "In transit", "status_date": "2026-07-03T10:00:00Z"}]}}
            """
        }
        let outOfOrder = try decode(.shippo, body(currentTime: "2026-07-02T10:00:00Z"))
        #expect(resolved(outOfOrder.events) == "delivered")
        #expect(outOfOrder.trackingNumber == "SHIPPO_DELIVERED")
        let inOrder = try decode(.shippo, body(currentTime: "2026-07-04T10:00:00Z"))
        #expect(resolved(inOrder.events) == "delivered")
        #expect(inOrder.events.count == 2)
    }

    @Test("A later scan still moves the shipment on; a late, older one cannot undo the stated delivery")
    func laterAndOlderEvents() throws {
        let stated = try decode(.easypost, Self.easypostOutOfOrder).events
        let later = CheckpointEvent(occurredAt: utc(2026, 7, 5), status: .exception, message: "Returned", source: "easypost")
        #expect(resolved(stated + [later]) == "exception")
        let older = CheckpointEvent(occurredAt: utc(2026, 7, 2), status: .inTransit, message: "Sorted", source: "easypost")
        #expect(resolved(stated + [older]) == "delivered")
    }

    @Test("The same webhook twice states the same checkpoints (so a retry adds nothing)")
    func deterministic() throws {
        #expect(try decode(.easypost, Self.easypostOutOfOrder).events == decode(.easypost, Self.easypostOutOfOrder).events)
    }

    @Test("A stated pending, or a stated status the newest event already has, adds nothing")
    func nothingToAdd() throws {
        let pending = try decode(.aftership, """
            {"event": "tracking_update", "ts": 1782993600, "msg": {"tracking_number": "A1", "tag": "Pending",
             "checkpoints": [{"checkpoint_time": "2026-07-01T10:00:00Z", "tag": "InTransit", "message": "Sorted"}]}}
            """)
        #expect(pending.events.map(\.status) == [.inTransit])
        let agreeing = try decode(.aftership, """
            {"event": "tracking_update", "ts": 1782993600, "msg": {"tracking_number": "A1", "tag": "InTransit",
             "checkpoints": [{"checkpoint_time": "2026-07-01T10:00:00Z", "tag": "InTransit", "message": "Sorted"}]}}
            """)
        #expect(agreeing.events.count == 1)
    }
}
