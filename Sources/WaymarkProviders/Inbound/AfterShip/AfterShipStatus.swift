/// AfterShip's tags (families) and subtags, in Waymark's status model.
enum AfterShipStatus {
    /// A subtag's meaning; the family is the tag, or the family the subtag begins with.
    static func meaning(tag: String?, subtag: String?) -> StatusMeaning {
        vocabulary.meaning(code: subtag, family: tag)
    }

    static let vocabulary = StatusVocabulary(
        families: [
            "Pending": .pending, "InfoReceived": .infoReceived, "InTransit": .inTransit, "OutForDelivery": .outForDelivery,
            "AvailableForPickup": .availableForPickup, "AttemptFail": .attemptFail, "Delivered": .delivered,
            "Exception": .exception, "Expired": .expired,
        ],
        codes: [
            // The generic code of a family is the bare status: "delivered.delivered" says nothing more.
            "Delivered_001": StatusMeaning(.delivered),
            "Delivered_002": StatusMeaning(.delivered, "picked_up"),
            "Delivered_003": StatusMeaning(.delivered, "signed"),
            "Delivered_004": StatusMeaning(.delivered, "cod_collected"),
            "Delivered_005": StatusMeaning(.delivered, "left_with_neighbor"),
            "AttemptFail_001": StatusMeaning(.attemptFail),
            "AttemptFail_002": StatusMeaning(.attemptFail, "recipient_unavailable"),
            "AttemptFail_003": StatusMeaning(.attemptFail, "business_closed"),
            "Exception_002": StatusMeaning(.exception, "customer_moved"),
            "Exception_003": StatusMeaning(.exception, "refused"),
            "Exception_004": StatusMeaning(.exception, "customs_hold"),
            "Exception_005": StatusMeaning(.exception, "delayed"),
            "Exception_006": StatusMeaning(.exception, "held_for_payment"),
            "Exception_007": StatusMeaning(.exception, "address_issue"),
            "Exception_010": StatusMeaning(.exception, "returning_to_sender"),
            "Exception_011": StatusMeaning(.exception, "returned_to_sender"),
            "Exception_012": StatusMeaning(.exception, "damaged"),
            "Exception_013": StatusMeaning(.exception, "lost"),
            "InTransit_002": StatusMeaning(.inTransit, "accepted"),
            "InTransit_003": StatusMeaning(.inTransit, "arrived"),
            "InTransit_004": StatusMeaning(.inTransit, "arrived_destination_country"),
            "InTransit_005": StatusMeaning(.inTransit, "customs_cleared"),
            "InTransit_006": StatusMeaning(.inTransit, "customs_processing"),
            "InTransit_007": StatusMeaning(.inTransit, "departed"),
            "InTransit_009": StatusMeaning(.inTransit, "forwarded"),
            "OutForDelivery_003": StatusMeaning(.outForDelivery, "customer_contacted"),
            "OutForDelivery_004": StatusMeaning(.outForDelivery, "appointment_scheduled"),
        ])
}
