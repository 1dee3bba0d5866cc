/// Every path the site serves, in one place: the router registers each route from its
/// `template`, and every link, email link and `tracking_url` is built from the same case, so a
/// link cannot point where nothing answers. The reserved tenant slugs, the paths a custom domain
/// leaves alone and the API's 405 method table are derived from it.
///
/// A template is the path without its leading slash, parameters in braces. Shopper pages start
/// with `{tenant}`: on the base host that is the tenant's slug, on a tenant's own domain the
/// segment is left out (`shopperPath(prefix:…)`).
public enum SiteRoute: String, CaseIterable, Sendable {
    // Shopper pages.
    case lookupPage = "{tenant}"
    case lookup = "{tenant}/lookup"
    case trackingPage = "{tenant}/t/{token}"
    case subscribe = "{tenant}/t/{token}/subscribe"
    case unsubscribe = "{tenant}/unsubscribe/{token}"
    case theme = "{tenant}/theme.css"
    case tenantLogo = "{tenant}/logo/{file}"
    /// An after-delivery link: counts the click, then sends the shopper on.
    case afterDeliveryClick = "{tenant}/go/{link}"

    // The REST API.
    case openAPI = "api/v1/openapi.json"
    case shipments = "api/v1/shipments"
    case shipmentsBatch = "api/v1/shipments/batch"
    case shipmentsImport = "api/v1/shipments/import"
    case shipment = "api/v1/shipments/{id}"
    case shipmentEvents = "api/v1/shipments/{id}/events"
    case shipmentSupportReply = "api/v1/shipments/{id}/support-reply"
    case carriers = "api/v1/carriers"
    case carrierDetection = "api/v1/carriers/detect"
    case webhookEndpoints = "api/v1/webhook-endpoints"
    case webhookEndpoint = "api/v1/webhook-endpoints/{id}"
    case webhookEndpointSecret = "api/v1/webhook-endpoints/{id}/rotate-secret"
    case webhookEndpointEnable = "api/v1/webhook-endpoints/{id}/enable"
    case webhookEndpointDeliveries = "api/v1/webhook-endpoints/{id}/deliveries"
    case deliveryReplay = "api/v1/deliveries/{id}/replay"

    // Inbound webhooks: tracking providers and the SMS provider's replies.
    case providerHook = "hooks/{provider}/{tenant}"
    case smsHook = "hooks/sms/{tenant}"

    // Operations.
    case healthz = "healthz"
    case metrics = "metrics"
    /// Files under `Public/`, served from `static/{file}`.
    case staticFiles = "static"
    /// The demo's own webhook receiver (only with `serve --demo`).
    case demoWebhooks = "_demo/webhooks"

    // The merchant admin: server-rendered pages and the forms they post.
    case admin = "admin"
    case adminLogin = "admin/login"
    case adminLogout = "admin/logout"
    case adminPasswordForgot = "admin/password/forgot"
    case adminPasswordReset = "admin/password/reset/{token}"
    case adminInvitation = "admin/invitations/{token}"
    case adminShipments = "admin/shipments"
    case adminShipment = "admin/shipments/{id}"
    case adminShipmentReveal = "admin/shipments/{id}/reveal"
    case adminShipmentResend = "admin/shipments/{id}/resend"
    case adminTeam = "admin/team"
    case adminTeamInvite = "admin/team/invitations"
    case adminTeamInvitationRevoke = "admin/team/invitations/{id}/revoke"
    case adminTeamMemberRole = "admin/team/members/{id}/role"
    case adminTeamMemberRemove = "admin/team/members/{id}/remove"
    case adminAPIKeys = "admin/api-keys"
    case adminAPIKeyRevoke = "admin/api-keys/{id}/revoke"
    case adminAudit = "admin/audit"
    case adminSessions = "admin/sessions"
    case adminSessionEnd = "admin/sessions/{id}/end"
    case adminSwitchTenant = "admin/tenant"
    case adminData = "admin/data"
    case adminTemplates = "admin/templates"
    case adminTemplate = "admin/templates/{kind}/{name}/{locale}"
    case adminTemplatePreview = "admin/templates/{kind}/{name}/{locale}/preview"
    case adminTemplateRestore = "admin/templates/{kind}/{name}/{locale}/restore"
    case adminNotificationSettings = "admin/settings/notifications"
    case adminBranding = "admin/settings/branding"
    case adminBrandingLogo = "admin/settings/branding/logo"
    case adminAfterDelivery = "admin/settings/after-delivery"
    case adminProviders = "admin/settings/providers"
    case adminProvider = "admin/settings/providers/{provider}"
    case adminDomain = "admin/settings/domain"
    case adminDomainVerify = "admin/settings/domain/verify"
    case adminWebhooks = "admin/webhooks"
    case adminWebhook = "admin/webhooks/{id}"
    case adminWebhookAction = "admin/webhooks/{id}/{action}"

    /// Who a route serves.
    public enum Area: Sendable {
        case shopper, api, hooks, operations, admin
    }

    public var area: Area {
        switch self {
        case .lookupPage, .lookup, .trackingPage, .subscribe, .unsubscribe, .theme, .tenantLogo, .afterDeliveryClick: .shopper
        case .openAPI, .shipments, .shipmentsBatch, .shipmentsImport, .shipment, .shipmentEvents, .shipmentSupportReply, .carriers, .carrierDetection,
             .webhookEndpoints, .webhookEndpoint, .webhookEndpointSecret, .webhookEndpointEnable, .webhookEndpointDeliveries,
             .deliveryReplay:
            .api
        case .providerHook, .smsHook: .hooks
        case .healthz, .metrics, .staticFiles, .demoWebhooks: .operations
        case .admin, .adminLogin, .adminLogout, .adminPasswordForgot, .adminPasswordReset, .adminInvitation, .adminShipments, .adminShipment,
             .adminShipmentReveal, .adminShipmentResend, .adminTeam, .adminTeamInvite, .adminTeamInvitationRevoke, .adminTeamMemberRole,
             .adminTeamMemberRemove, .adminAPIKeys, .adminAPIKeyRevoke, .adminAudit, .adminSessions, .adminSessionEnd, .adminSwitchTenant,
             .adminData, .adminTemplates, .adminTemplate, .adminTemplatePreview, .adminTemplateRestore, .adminNotificationSettings,
             .adminBranding, .adminBrandingLogo, .adminWebhooks, .adminWebhook, .adminWebhookAction, .adminAfterDelivery, .adminProviders,
             .adminProvider, .adminDomain, .adminDomainVerify:
            .admin
        }
    }

    /// The least role an admin route needs; nil for the pages used before signing in. Agents
    /// have the support workspace and their own sessions; owners alone the team and the data.
    public var adminRole: MemberRole? {
        switch self {
        case .adminLogin, .adminPasswordForgot, .adminPasswordReset, .adminInvitation: nil
        case .admin, .adminLogout, .adminShipments, .adminShipment, .adminShipmentReveal, .adminShipmentResend, .adminSessions, .adminSessionEnd,
             .adminSwitchTenant:
            .agent
        case .adminAPIKeys, .adminAPIKeyRevoke, .adminAudit, .adminTemplates, .adminTemplate, .adminTemplatePreview, .adminTemplateRestore,
             .adminNotificationSettings, .adminBranding, .adminBrandingLogo, .adminWebhooks, .adminWebhook, .adminWebhookAction,
             .adminAfterDelivery, .adminProviders, .adminProvider, .adminDomain, .adminDomainVerify:
            .admin
        case .adminTeam, .adminTeamInvite, .adminTeamInvitationRevoke, .adminTeamMemberRole, .adminTeamMemberRemove, .adminData: .owner
        default: nil
        }
    }

    /// The methods the route answers (HEAD comes with GET).
    public var methods: [Method] {
        switch self {
        case .lookupPage, .trackingPage, .theme, .tenantLogo, .afterDeliveryClick, .openAPI, .carriers, .carrierDetection, .webhookEndpointDeliveries, .healthz, .metrics,
             .staticFiles, .shipmentSupportReply, .admin, .adminShipments, .adminShipment, .adminAudit, .adminSessions, .adminTeam,
             .adminTemplates, .adminTemplatePreview, .adminWebhook, .adminProviders:
            [.get]
        case .adminLogin, .adminPasswordForgot, .adminPasswordReset, .adminInvitation, .adminAPIKeys, .adminData, .adminTemplate,
             .adminNotificationSettings, .adminBranding, .adminWebhooks, .adminAfterDelivery, .adminDomain:
            [.get, .post]
        case .adminLogout, .adminShipmentReveal, .adminShipmentResend, .adminTeamInvite, .adminTeamInvitationRevoke, .adminTeamMemberRole,
             .adminTeamMemberRemove, .adminAPIKeyRevoke, .adminSessionEnd, .adminSwitchTenant, .adminTemplateRestore, .adminBrandingLogo,
             .adminWebhookAction, .adminProvider, .adminDomainVerify:
            [.post]
        case .lookup, .subscribe, .shipmentsBatch, .shipmentsImport, .shipmentEvents, .webhookEndpointSecret, .webhookEndpointEnable,
             .deliveryReplay, .providerHook, .smsHook, .demoWebhooks:
            [.post]
        case .unsubscribe: [.get, .post]
        case .shipments, .webhookEndpoints: [.get, .post]
        case .shipment: [.get, .patch, .delete]
        case .webhookEndpoint: [.get, .delete]
        }
    }

    /// An HTTP method, by the name it has on the wire.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", patch = "PATCH", delete = "DELETE"
    }

    /// The template as path segments.
    public var segments: [Substring] { rawValue.split(separator: "/") }

    /// `/` and the template, as the router writes a route.
    public var template: String { "/" + rawValue }

    /// The path with each `{name}` replaced by its value, in order of appearance. Values are
    /// used as given: they are slugs, tokens and ids Waymark made, never shopper text.
    public func path(_ values: String...) -> String { path(values) }

    public func path(_ values: [String]) -> String {
        var remaining = values[...]
        let filled = segments.map { segment -> Substring in
            guard segment.hasPrefix("{"), let value = remaining.popFirst() else { return segment }
            return Substring(value)
        }
        return "/" + filled.joined(separator: "/")
    }

    /// A shopper page under `prefix`: `/{slug}` on the base host, empty on the tenant's own
    /// domain (where the lookup page is `/`). `values` fill the parameters after `{tenant}`.
    public func shopperPath(prefix: String, _ values: String...) -> String {
        var remaining = values[...]
        let rest = segments.dropFirst().map { segment -> Substring in
            guard segment.hasPrefix("{"), let value = remaining.popFirst() else { return segment }
            return Substring(value)
        }
        let path = prefix + rest.map { "/" + $0 }.joined()
        return path.isEmpty ? "/" : path
    }

    /// The route a path belongs to, with its parameters, preferring literal segments over
    /// parameters (`hooks/sms/acme` is the SMS hook, not a provider called `sms`). Nil when no
    /// route has the path's shape.
    public static func match(_ path: String) -> (route: SiteRoute, parameters: [String: String])? {
        let parts = path.split(separator: "/")
        var best: (route: SiteRoute, parameters: [String: String], literals: Int)?
        for route in allCases {
            let segments = route.segments
            if route == .staticFiles, parts.first == "static", parts.count > 1 {
                return (route, ["file": parts.dropFirst().joined(separator: "/")])
            }
            guard segments.count == parts.count else { continue }
            var parameters: [String: String] = [:]
            var literals = 0
            var fits = true
            for (segment, part) in zip(segments, parts) {
                if segment.hasPrefix("{") {
                    parameters[String(segment.dropFirst().dropLast())] = String(part)
                } else if segment == part {
                    literals += 1
                } else {
                    fits = false
                    break
                }
            }
            if fits, literals > best?.literals ?? -1 { best = (route, parameters, literals) }
        }
        return best.map { ($0.route, $0.parameters) }
    }

    /// The area of the platform route a path falls under by its first segment (`/api/…`,
    /// `/hooks/…`), or nil for a shopper path or no route at all.
    public static func area(ofPath path: String) -> Area? {
        guard let first = path.split(separator: "/", maxSplits: 1).first else { return nil }
        return allCases.first { $0.area != .shopper && $0.segments.first == first }?.area
    }

    /// First path segments that belong to the platform, never to a tenant: the first literal
    /// segment of every route that is not a shopper page.
    public static var platformSegments: Set<String> {
        Set(allCases.filter { $0.area != .shopper }.compactMap { $0.segments.first.map(String.init) })
    }
}
