/// Track123's transit statuses and sub-statuses (`IN_TRANSIT`, `IN_TRANSIT_03`), in Waymark's
/// status model.
enum Track123Status {
    /// A sub-status's meaning; its family is the transit status when given, else the family the
    /// sub-status begins with (`IN_TRANSIT_09` → `IN_TRANSIT`).
    static func meaning(status: String?, subStatus: String?) -> StatusMeaning {
        vocabulary.meaning(code: subStatus, family: status)
    }

    static let vocabulary = StatusVocabulary(
        families: [
            "INIT": .pending, "NO_RECORD": .pending, "INFO_RECEIVED": .infoReceived, "IN_TRANSIT": .inTransit,
            "WAITING_DELIVERY": .outForDelivery, "DELIVERY_FAILED": .attemptFail, "DELIVERED": .delivered,
            "ABNORMAL": .exception, "EXPIRED": .expired,
        ],
        codes: [
            "IN_TRANSIT_01": StatusMeaning(.inTransit),  // on the way
            "IN_TRANSIT_02": StatusMeaning(.inTransit, "arrived"),  // at a sorting centre
            "IN_TRANSIT_03": StatusMeaning(.inTransit, "customs_cleared"),
            "IN_TRANSIT_04": StatusMeaning(.inTransit, "departed"),  // dispatching
            "IN_TRANSIT_05": StatusMeaning(.inTransit, "handed_to_airline"),
            "IN_TRANSIT_06": StatusMeaning(.inTransit, "landed"),
            "IN_TRANSIT_07": StatusMeaning(.inTransit, "at_local_post_office"),
            "IN_TRANSIT_08": StatusMeaning(.inTransit, "departed"),
            "WAITING_DELIVERY_01": StatusMeaning(.outForDelivery),
            "WAITING_DELIVERY_02": StatusMeaning(.availableForPickup),  // at a collection point
            "WAITING_DELIVERY_03": StatusMeaning(.outForDelivery, "delivery_rescheduled"),
            "DELIVERED_01": StatusMeaning(.delivered),
            "DELIVERED_02": StatusMeaning(.delivered, "picked_up"),
            "DELIVERED_03": StatusMeaning(.delivered, "signed"),
            "DELIVERED_04": StatusMeaning(.delivered, "left_with_neighbor"),  // or the doorman
            "DELIVERY_FAILED_01": StatusMeaning(.attemptFail, "address_issue"),
            "DELIVERY_FAILED_02": StatusMeaning(.attemptFail, "recipient_unavailable"),
            "DELIVERY_FAILED_03": StatusMeaning(.attemptFail, "recipient_unreachable"),
            "DELIVERY_FAILED_04": StatusMeaning(.attemptFail),  // other
            "ABNORMAL_01": StatusMeaning(.exception, "unclaimed"),
            "ABNORMAL_02": StatusMeaning(.exception, "customs_hold"),
            "ABNORMAL_03": StatusMeaning(.exception, "lost_or_damaged"),
            "ABNORMAL_04": StatusMeaning(.exception, "cancelled"),
            "ABNORMAL_05": StatusMeaning(.exception, "refused"),
            "ABNORMAL_06": StatusMeaning(.exception, "returned_to_sender"),
            "ABNORMAL_07": StatusMeaning(.exception, "returning_to_sender"),
            "ABNORMAL_08": StatusMeaning(.exception),  // other
        ])
}
