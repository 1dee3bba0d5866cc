import Foundation
import WaymarkCore
import WaymarkNotify

/// The body of `POST /api/v1/webhook-endpoints`.
struct WebhookEndpointInput: Decodable, Sendable {
    var url: String?
    var events: [String]?
    var statuses: [String]?
    var description: String?

    /// An endpoint that may be saved: a URL the SSRF guard accepts, known event types and statuses.
    struct Draft: Sendable, Equatable {
        var url: String
        var events: [String]
        var statuses: [DeliveryStatus]
        var description: String?
    }

    static let urlRule = InputRules.Rule(#"^[\s\S]+$"#, maxLength: 2_048, explanation: "must be an http:// or https:// URL")
    static let descriptionRule = InputRules.text(maxLength: 200)

    /// The draft, or every problem with this input at once, each naming its field.
    func draft(urlCheck: URLCheck) throws(ValidationErrors) -> Draft {
        var check = InputRules.Check()
        check.field("url", url, Self.urlRule)
        check.field("description", description, Self.descriptionRule)
        var problems = check.problems
        var savedURL: String?
        if let url {
            if !problems.contains(where: { $0.field == "url" }) {
                do { savedURL = try urlCheck.checkAtSaveTime(url).original } catch {
                    problems.append(.init(error.description, field: "url"))
                }
            }
        } else {
            problems.append(.init("is required: the http(s) URL that receives the webhooks", field: "url"))
        }
        let events = self.events ?? []
        let valid = NotificationTrigger.webhookEventTypes
        if events.isEmpty {
            problems.append(.init("must list at least one event type: \(valid.joined(separator: ", "))", field: "events"))
        }
        for (index, event) in events.enumerated() where !valid.contains(event) {
            problems.append(.init("'\(event.prefix(64))' is not an event type; use one of \(valid.joined(separator: ", "))", field: "events[\(index)]"))
        }
        var statuses: [DeliveryStatus] = []
        for (index, text) in (self.statuses ?? []).enumerated() {
            if let status = DeliveryStatus(rawValue: text) {
                if !statuses.contains(status) { statuses.append(status) }
            } else {
                problems.append(.init("'\(text.prefix(64))' is not a status; use one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                                      field: "statuses[\(index)]"))
            }
        }
        guard problems.isEmpty, let savedURL else { throw ValidationErrors(problems) }
        var unique: [String] = []
        for event in events where !unique.contains(event) { unique.append(event) }
        return Draft(url: savedURL, events: unique, statuses: statuses, description: description)
    }
}
