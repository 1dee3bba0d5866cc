import WaymarkCore

/// The sends under way, counted per webhook endpoint and per tenant, so the dispatcher claims
/// only what it can start without going over a cap.
struct InFlight: Sendable {
    private var total = 0
    private var perEndpoint: [String: Int] = [:]
    private var perTenant: [Int64: Int] = [:]

    /// How many more sends may start, and who is at their cap and must not be claimed for.
    func room(_ configuration: DispatcherConfiguration) -> (free: Int, busyEndpoints: Set<String>, busyTenants: Set<Int64>) {
        (max(0, configuration.maximumConcurrentSends - total),
         Set(perEndpoint.filter { $0.value >= configuration.maximumInFlightPerEndpoint }.keys),
         Set(perTenant.filter { $0.value >= configuration.maximumInFlightPerTenant }.keys))
    }

    /// Counts the delivery in if every cap allows it; false when one claim brought more for an
    /// endpoint or a tenant than its cap (the claim only knows who was busy before it).
    mutating func admit(_ delivery: Delivery, _ configuration: DispatcherConfiguration) -> Bool {
        let endpoint = Self.endpoint(of: delivery)
        guard total < configuration.maximumConcurrentSends,
              perTenant[delivery.tenantID, default: 0] < configuration.maximumInFlightPerTenant,
              endpoint.map({ perEndpoint[$0, default: 0] < configuration.maximumInFlightPerEndpoint }) ?? true
        else { return false }
        total += 1
        perTenant[delivery.tenantID, default: 0] += 1
        if let endpoint { perEndpoint[endpoint, default: 0] += 1 }
        return true
    }

    mutating func finish(_ delivery: Delivery) {
        total -= 1
        perTenant[delivery.tenantID, default: 1] -= 1
        if perTenant[delivery.tenantID] == 0 { perTenant[delivery.tenantID] = nil }
        if let endpoint = Self.endpoint(of: delivery) {
            perEndpoint[endpoint, default: 1] -= 1
            if perEndpoint[endpoint] == 0 { perEndpoint[endpoint] = nil }
        }
    }

    var isEmpty: Bool { total == 0 }

    /// A webhook's recipient is its endpoint's id.
    private static func endpoint(of delivery: Delivery) -> String? {
        delivery.channel == .webhook ? delivery.recipient : nil
    }
}
