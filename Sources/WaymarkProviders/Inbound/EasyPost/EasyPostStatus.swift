import WaymarkCore

/// EasyPost's tracker `status` and `status_detail`, in Waymark's status model.
enum EasyPostStatus {
    /// `failure` covers both a failed delivery attempt and a parcel that cannot be delivered;
    /// only the detail tells them apart. An unknown status is `StatusMeaning.unrecognized`.
    static func meaning(status: String?, detail: String?) -> StatusMeaning {
        guard let base = statuses[code: status] else { return .unrecognized }
        if CodeTable<String>.key(status ?? "") == "failure", CodeTable<String>.key(detail ?? "").contains("attempt") {
            return StatusMeaning(.attemptFail)
        }
        // Details refine only statuses that have reasons to give; "delivered" with the detail
        // "arrived_at_destination" is plainly delivered.
        let refinable: Set<DeliveryStatus> = [.inTransit, .attemptFail, .exception]
        guard base.substatus == nil, refinable.contains(base.status), let reason = reasons[code: detail] else { return base }
        return StatusMeaning(base.status, reason)
    }

    static let statuses: CodeTable<StatusMeaning> = [
        "unknown": StatusMeaning(.pending), "pre_transit": StatusMeaning(.infoReceived), "in_transit": StatusMeaning(.inTransit),
        "out_for_delivery": StatusMeaning(.outForDelivery), "available_for_pickup": StatusMeaning(.availableForPickup),
        "delivered": StatusMeaning(.delivered), "return_to_sender": StatusMeaning(.exception, "returned_to_sender"),
        "failure": StatusMeaning(.exception), "cancelled": StatusMeaning(.exception, "cancelled"), "error": StatusMeaning(.exception),
    ]

    /// `status_detail` values that say more than the status; the others restate it.
    static let reasons: CodeTable<String> = [
        "received_at_origin_facility": "accepted", "arrived_at_facility": "arrived", "arrived_at_destination": "arrived",
        "received_at_destination_facility": "arrived", "departed_facility": "departed", "departed_origin_facility": "departed",
        "transferred_to_destination_carrier": "forwarded", "delayed": "delayed", "weather_delay": "delayed",
        "damaged": "damaged", "lost": "lost", "refused": "refused", "held": "held", "address_correction": "address_issue",
        "awaiting_information": "awaiting_information", "missorted": "missorted", "cancelled": "cancelled",
    ]
}
