import WaymarkCore

/// Every kind of text a merchant may write, each with what it may use: the fields of its view
/// model (nothing else reaches a template), the ones that hold links or colours, and the one
/// layout it may extend.
public enum TemplateKind: Sendable, Equatable {
    /// An email's HTML part; it may extend `{{<emails.layout}}` and fill its `lead` and `extra`.
    case emailHTML
    /// An email's subject line: text.
    case emailSubject
    /// An email's plain-text part; it may extend `{{<emails.text.layout}}`.
    case emailText
    /// A text message.
    case sms
    /// One section of the tracking page: an HTML fragment.
    case pageSection(PageSection)

    public var isHTML: Bool {
        switch self {
        case .emailHTML, .pageSection: true
        case .emailSubject, .emailText, .sms: false
        }
    }

    /// The layout this kind may extend, with the blocks it may fill.
    var layout: (name: String, blocks: Set<String>)? {
        switch self {
        case .emailHTML: ("emails.layout", ["lead", "extra"])
        case .emailText: ("emails.text.layout", ["lead", "extra"])
        default: nil
        }
    }

    /// The fields a template of this kind may use.
    public var vocabulary: TemplateVocabulary {
        if case .pageSection = self { return .pageSection }
        return .message
    }

    /// The largest template, in UTF-8 bytes.
    public static let maximumBytes = 65_536
}

/// The names a kind of template may use, as dotted paths (`latest.when`): a field of an object
/// (`latest`) is also found by its own name inside that object's section.
public struct TemplateVocabulary: Sendable, Equatable {
    public let fields: Set<String>
    /// Fields that hold a URL Waymark built: the only ones a link may start with.
    public let links: Set<String>
    /// Fields that hold a checked colour: the only ones CSS may use.
    public let colours: Set<String>

    /// `ShopperMessageView`: what an email or text message may show.
    public static let message = TemplateVocabulary(
        fields: [
            "lang", "subject", "preheader", "merchantName", "logoURL", "brandColor", "brandTextColor", "headline", "intro",
            "substatus", "latest", "latest.heading", "latest.message", "latest.when", "latest.place", "estimate", "estimate.label",
            "estimate.value", "orderHeading", "trackingNumberLabel", "trackingNumber", "carrierLabel", "carrierName", "pickupLabel",
            "pickupPlace", "trackURL", "trackButton", "questions", "supportURL", "supportLabel", "whyText", "unsubscribeURL",
            "unsubscribeLabel", "line",
        ],
        links: ["trackURL", "supportURL", "unsubscribeURL", "logoURL"],
        colours: ["brandColor", "brandTextColor"])

    /// `PageSectionView`: what a section of the tracking page may show.
    public static let pageSection = TemplateVocabulary(
        fields: [
            "lang", "merchantName", "logoURL", "homeURL", "supportURL", "supportLabel", "questions", "brandColor", "brandTextColor",
            "status", "headline", "delivered", "trackingNumber", "orderNumber", "carrierName", "pageURL",
        ],
        links: ["logoURL", "homeURL", "supportURL", "pageURL"],
        colours: ["brandColor", "brandTextColor"])

    /// Whether `name`, used inside the sections `open` (outermost first), is one of the fields.
    func allows(_ name: String, inside open: [String]) -> Bool {
        if name == "." { return !open.isEmpty }
        if fields.contains(name) { return true }
        return open.contains { fields.contains("\($0).\(name)") }
    }

    /// The fields as a merchant would list them, for an error message.
    var listed: String {
        fields.sorted().map { "{{\($0)}}" }.joined(separator: ", ")
    }
}

extension TemplateSlot {
    /// The kind of the slot's main text: an email's HTML, an SMS, or a page section.
    public var bodyKind: TemplateKind {
        switch part {
        case .message(.sms, _): .sms
        case .message: .emailHTML
        case .page(let section): .pageSection(section)
        }
    }
}
