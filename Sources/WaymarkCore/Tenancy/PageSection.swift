/// A part of the tracking page a merchant may replace with its own HTML, one at a time; the rest
/// of the page (status, journey, forms) stays Waymark's, so it keeps working and accessible.
public enum PageSection: String, Sendable, CaseIterable, Codable {
    /// The top bar: the merchant's logo or name, linked to its shop.
    case header
    /// A notice above the shipment (empty by default).
    case banner
    /// Shown under a delivered shipment only (empty by default): a review or product links.
    case afterDelivery = "after_delivery"
    /// The bottom: the support link (the language list stays Waymark's).
    case footer
}
