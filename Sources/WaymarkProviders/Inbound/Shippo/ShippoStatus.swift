/// Shippo's tracking `status` and `substatus.code`, in Waymark's status model. Shippo has only
/// six statuses; its sub-status codes carry out-for-delivery, pickup and most exceptions.
enum ShippoStatus {
    static func meaning(status: String?, substatus: String?) -> StatusMeaning {
        if let meaning = substatusMeanings[code: substatus] { return meaning }
        guard let base = statuses[code: status] else { return .unrecognized }
        if base.substatus == nil, let reason = reasons[code: substatus] { return StatusMeaning(base.status, reason) }
        return base
    }

    static let statuses: CodeTable<StatusMeaning> = [
        "UNKNOWN": StatusMeaning(.pending), "PRE_TRANSIT": StatusMeaning(.infoReceived), "TRANSIT": StatusMeaning(.inTransit),
        "DELIVERED": StatusMeaning(.delivered), "RETURNED": StatusMeaning(.exception, "returned_to_sender"),
        // A delivery that did not happen; the sub-status tells when it is worse than an attempt.
        "FAILURE": StatusMeaning(.attemptFail),
    ]

    /// Sub-status codes that decide the status whatever Shippo's status says.
    static let substatusMeanings: CodeTable<StatusMeaning> = [
        "out_for_delivery": StatusMeaning(.outForDelivery),
        "pickup_available": StatusMeaning(.availableForPickup),
        "delivery_attempted": StatusMeaning(.attemptFail),
        "notice_left": StatusMeaning(.attemptFail, "notice_left"),
        "location_inaccessible": StatusMeaning(.attemptFail, "location_inaccessible"),
        "address_issue": StatusMeaning(.exception, "address_issue"),
        "package_lost": StatusMeaning(.exception, "lost"),
        "package_damaged": StatusMeaning(.exception, "damaged"),
        "package_undeliverable": StatusMeaning(.exception, "undeliverable"),
        "package_disposed": StatusMeaning(.exception, "disposed"),
        "return_to_sender": StatusMeaning(.exception, "returning_to_sender"),
        "package_returned": StatusMeaning(.exception, "returned_to_sender"),
    ]

    /// Sub-status codes that refine the status they come with.
    static let reasons: CodeTable<String> = [
        "package_accepted": "accepted", "package_arrived": "arrived", "package_departed": "departed",
        "package_forwarded": "forwarded", "delayed": "delayed", "package_held": "held", "contact_carrier": "contact_carrier",
        "delivery_rescheduled": "delivery_rescheduled", "reschedule_delivery": "delivery_rescheduled",
        "delivery_scheduled": "appointment_scheduled",
    ]
}
