import WaymarkCore

/// The parts of an inbound webhook request an adapter looks at, as the route received them.
public struct InboundRequest: Sendable, Equatable {
    /// The raw body, byte for byte: signatures are computed over these exact bytes.
    public var body: [UInt8]
    /// Header fields by name; names are matched case-insensitively.
    public var headers: [String: String]
    /// The URL's query items (Shippo's `?token=`).
    public var query: [String: String]

    public init(body: [UInt8], headers: [String: String] = [:], query: [String: String] = [:]) {
        self.body = body
        self.headers = headers
        self.query = query
    }

    /// A header's value by case-insensitive name, or nil when absent.
    public func header(_ name: String) -> String? {
        if let value = headers[name] { return value }
        let lowered = name.lowercased()
        return headers.first { $0.key.lowercased() == lowered }?.value
    }

    /// A header's value, or `missingSignature` naming it.
    func requiredHeader(_ name: String) throws(InboundError) -> String {
        guard let value = header(name)?.trimmingWhitespace, !value.isEmpty else {
            throw .missingSignature("the \(name) header is missing")
        }
        return value
    }
}
