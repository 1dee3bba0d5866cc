import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document (`Resources/openapi.json`), with
/// the enumerations that live in code (statuses, carriers, languages) filled in at start-up so
/// the document can't drift from them.
struct OpenAPIController {
    let document: ByteBuffer

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    init(resourcesPath: String) throws {
        let path = "\(resourcesPath)/Resources/openapi.json"
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw LoadError(description: "the OpenAPI document \(path) is missing")
        }
        func list(_ values: [String]) -> String {
            "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
        let replacements = [
            "\"__STATUSES__\"": list(DeliveryStatus.allCases.map(\.rawValue)),
            "\"__CARRIERS__\"": list(CarrierRegistry.all.map(\.code)),
            "\"__WEBHOOK_EVENTS__\"": list(NotificationTrigger.webhookEventTypes),
            "\"__CARRIERS_OR_NULL__\"": String(list(CarrierRegistry.all.map(\.code)).dropLast()) + ", null]",
        ]
        for (placeholder, pattern) in InputRules.schemaPlaceholders {
            let encoded = (try? JSONEncoder().encode(pattern)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            text = text.replacingOccurrences(of: "\"\(placeholder)\"", with: encoded)
        }
        text = text.replacingOccurrences(of: "__LANGUAGE_LIST__", with: ShopperLanguage.supported.joined(separator: ", "))
        for (placeholder, value) in replacements {
            text = text.replacingOccurrences(of: placeholder, with: value)
        }
        guard (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil else {
            throw LoadError(description: "the OpenAPI document \(path) is not valid JSON")
        }
        document = ByteBuffer(string: text)
    }

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.openAPI, .get) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"], body: .init(byteBuffer: document))
        }
    }
}

/// The API's paths and their methods, so a request with another method (PUT, QUERY, …) gets
/// 405 with an `Allow` header instead of a bare 404.
enum AllowedMethods {
    static let routes: [(template: [Substring], methods: [HTTPRequest.Method])] = SiteRoute.allCases
        .filter { $0.area == .api }
        .map { ($0.segments, $0.methods.map(\.http)) }

    /// The `Allow` header value for a path the API serves, or nil for an unknown path.
    static func allowHeader(for path: String) -> String? {
        let segments = path.split(separator: "/")
        let matches = routes.filter { route in
            route.template.count == segments.count
                && zip(route.template, segments).allSatisfy { template, segment in template.hasPrefix("{") || template == segment }
        }
        // A literal route ("batch") wins over a parameter ("{id}") for the same segment count.
        guard let best = matches.min(by: { a, b in a.template.filter { $0.hasPrefix("{") }.count < b.template.filter { $0.hasPrefix("{") }.count }) else {
            return nil
        }
        let methods = best.methods.contains(.get) ? best.methods + [.head] : best.methods
        return methods.map(\.rawValue).joined(separator: ", ")
    }
}
