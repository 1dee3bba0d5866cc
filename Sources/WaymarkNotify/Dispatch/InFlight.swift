import WaymarkCore

/// The sends under way, counted per webhook endpoint and per tenant, so the dispatcher claims
/// only what it can start without going over a cap.
struct InFlight: Sendable {
    private var total = 0
    private var perEndpoint: [String: Int] = [:]
    private var perTenant: [Int64: Int] = [:]

    /// What the next claim may take: how many more sends may start, who is at their cap and must
    /// not be claimed for, and how many rows one claim takes (`limit`), so few that no endpoint
    /// or tenant below its cap can go over it: with three of an endpoint's four sends under way,
    /// one row rather than four of which three would go back.
    func room(_ configuration: DispatcherConfiguration) -> Room {
        let free = max(0, configuration.maximumConcurrentSends - total)
        let busyEndpoints = Set(perEndpoint.filter { $0.value >= configuration.maximumInFlightPerEndpoint }.keys)
        let busyTenants = Set(perTenant.filter { $0.value >= configuration.maximumInFlightPerTenant }.keys)
        let endpointRoom = configuration.maximumInFlightPerEndpoint - (perEndpoint.values.filter { $0 < configuration.maximumInFlightPerEndpoint }.max() ?? 0)
        let tenantRoom = configuration.maximumInFlightPerTenant - (perTenant.values.filter { $0 < configuration.maximumInFlightPerTenant }.max() ?? 0)
        return Room(free: free, busyEndpoints: busyEndpoints, busyTenants: busyTenants, limit: min(free, endpointRoom, tenantRoom))
    }

    struct Room: Equatable {
        var free: Int
        var busyEndpoints: Set<String>
        var busyTenants: Set<Int64>
        var limit: Int
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
