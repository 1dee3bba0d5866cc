/// 17TRACK's statuses, sub-statuses (`InTransit_PickedUp`) and event stages, in Waymark's status
/// model.
enum SeventeenTrackStatus {
    /// A status or sub-status's meaning; the family is the status when given, else the family
    /// the sub-status begins with.
    static func meaning(status: String?, subStatus: String?) -> StatusMeaning {
        vocabulary.meaning(code: subStatus, family: status)
    }

    /// An event's meaning from its own sub-status, else its stage; nil when it has neither.
    static func eventMeaning(stage: String?, subStatus: String?) -> StatusMeaning? {
        if let subStatus { return meaning(status: nil, subStatus: subStatus) }
        guard let stage else { return nil }
        return stages[code: stage] ?? vocabulary.meaning(code: stage, family: nil)
    }

    static let vocabulary = StatusVocabulary(
        families: [
            "NotFound": .pending, "InfoReceived": .infoReceived, "InTransit": .inTransit, "OutForDelivery": .outForDelivery,
            "AvailableForPickup": .availableForPickup, "DeliveryFailure": .attemptFail, "Delivered": .delivered,
            "Exception": .exception, "Expired": .expired,
        ],
        codes: [
            "InTransit_PickedUp": StatusMeaning(.inTransit, "accepted"),
            "InTransit_Departure": StatusMeaning(.inTransit, "departed"),
            "InTransit_Arrival": StatusMeaning(.inTransit, "arrived"),
            "InTransit_CustomsProcessing": StatusMeaning(.inTransit, "customs_processing"),
            "InTransit_CustomsReleased": StatusMeaning(.inTransit, "customs_cleared"),
            "InTransit_CustomsRequiringInformation": StatusMeaning(.inTransit, "customs_information_required"),
            "DeliveryFailure_NoBody": StatusMeaning(.attemptFail, "recipient_unavailable"),
            "DeliveryFailure_Security": StatusMeaning(.attemptFail, "security_issue"),
            "DeliveryFailure_Rejected": StatusMeaning(.attemptFail, "refused"),
            "DeliveryFailure_InvalidAddress": StatusMeaning(.attemptFail, "address_issue"),
            "Exception_Returning": StatusMeaning(.exception, "returning_to_sender"),
            "Exception_Returned": StatusMeaning(.exception, "returned_to_sender"),
            "Exception_NoBody": StatusMeaning(.exception, "recipient_unavailable"),
            "Exception_Security": StatusMeaning(.exception, "security_issue"),
            "Exception_Damage": StatusMeaning(.exception, "damaged"),
            "Exception_Rejected": StatusMeaning(.exception, "refused"),
            "Exception_Delayed": StatusMeaning(.exception, "delayed"),
            "Exception_Lost": StatusMeaning(.exception, "lost"),
            "Exception_Destroyed": StatusMeaning(.exception, "destroyed"),
            "Exception_Cancel": StatusMeaning(.exception, "cancelled"),
        ])

    /// The milestone stages 17TRACK puts on events.
    static let stages: CodeTable<StatusMeaning> = [
        "InfoReceived": StatusMeaning(.infoReceived),
        "PickedUp": StatusMeaning(.inTransit, "accepted"),
        "Departure": StatusMeaning(.inTransit, "departed"),
        "Arrival": StatusMeaning(.inTransit, "arrived"),
        "AvailableForPickup": StatusMeaning(.availableForPickup),
        "OutForDelivery": StatusMeaning(.outForDelivery),
        "Delivered": StatusMeaning(.delivered),
        "Returning": StatusMeaning(.exception, "returning_to_sender"),
        "Returned": StatusMeaning(.exception, "returned_to_sender"),
    ]

    /// 17TRACK's numeric carrier keys for carriers Waymark knows.
    static let carriers: [String: String] = [
        "100001": "dhl", "100002": "ups", "100003": "fedex", "3011": "china-post", "21051": "usps",
    ]
}
