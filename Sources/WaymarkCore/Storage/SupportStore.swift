import Foundation

/// The support workspace's searches and the dashboard's figures.
public protocol SupportStore: Sendable {
    func searchShipments(tenantID: Int64, _ search: ShipmentSearch) async throws -> [Shipment]
    /// The carrier codes the tenant's shipments use, for the search's carrier filter.
    func carriersInUse(tenantID: Int64) async throws -> [String]
    func dashboard(tenantID: Int64, now: Date) async throws -> DashboardFigures
    /// Adds counted page views (tokens of unknown shipments are ignored).
    func recordPageViews(_ batch: PageViewBatch) async throws
    /// Adds counted clicks on after-delivery links; clicks on links deleted since are dropped.
    func recordLinkClicks(_ clicks: [LinkClickDay: Int]) async throws
    /// Sends a delivery again as a new delivery to the same recipient, whatever became of the
    /// first. Nil when the tenant has no such delivery.
    func resendDelivery(tenantID: Int64, id: String, now: Date) async throws -> Delivery?
}
