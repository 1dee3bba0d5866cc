import WaymarkCore

/// EasyPost's tracker `status` and `status_detail`, in Waymark's status model.
enum EasyPostStatus {
    /// `failure` covers both a failed delivery attempt and a parcel that cannot be delivered;
    /// only the detail tells them apart. An unknown status is `StatusMeaning.unrecognized`.
    static func meaning(status: String?, detail: String?) -> StatusMeaning {
        let base: StatusMeaning
        switch status {
        case "unknown": base = StatusMeaning(.pending)
        case "pre_transit": base = StatusMeaning(.infoReceived)
        case "in_transit": base = StatusMeaning(.inTransit)
        case "out_for_delivery": base = StatusMeaning(.outForDelivery)
        case "available_for_pickup": base = StatusMeaning(.availableForPickup)
        case "delivered": base = StatusMeaning(.delivered)
        case "return_to_sender": base = StatusMeaning(.exception, "returned_to_sender")
        case "failure": base = StatusMeaning(detail?.contains("attempt") ?? false ? .attemptFail : .exception)
        case "cancelled": base = StatusMeaning(.exception, "cancelled")
        case "error": base = StatusMeaning(.exception)
        default: return .unrecognized
        }
        // Details refine only statuses that have reasons to give; "delivered" with the detail
        // "arrived_at_destination" is plainly delivered.
        let refinable: Set<DeliveryStatus> = [.inTransit, .attemptFail, .exception]
        guard base.substatus == nil, refinable.contains(base.status), let detail, let reason = reasons[detail] else { return base }
        return StatusMeaning(base.status, reason)
    }

    /// `status_detail` values that say more than the status; the others restate it.
    static let reasons: [String: String] = [
        "received_at_origin_facility": "accepted", "arrived_at_facility": "arrived", "arrived_at_destination": "arrived",
        "received_at_destination_facility": "arrived", "departed_facility": "departed", "departed_origin_facility": "departed",
        "transferred_to_destination_carrier": "forwarded", "delayed": "delayed", "weather_delay": "delayed",
        "damaged": "damaged", "lost": "lost", "refused": "refused", "held": "held", "address_correction": "address_issue",
        "awaiting_information": "awaiting_information", "missorted": "missorted", "cancelled": "cancelled",
    ]
}
