import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// `POST /{tenant}/t/{token}/subscribe`: a shopper on the tracking page asks for updates by
/// email, text, or both. The answer never tells whether the address was subscribed already,
/// so the form can't be used to learn who follows a shipment.
extension ShopperController {
    @Sendable func subscribe(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let tenant = try await tenant(context)
        let language = language(request, tenant)
        let prefix = context.shopperPrefix(slug: tenant.slug)
        let token = context.parameters.get("token") ?? ""
        guard SecureToken.isWellFormed(token), let tracked = try await database.shipment(tenantID: tenant.id, token: token) else {
            return try notFound(tenant, language: language, prefix: prefix)
        }
        // The merchant turned the form off: the page no longer shows it, and a stale copy cannot post it.
        guard tenant.selfSubscription else {
            throw HTTPError(.forbidden, message: "This merchant does not take sign-ups for updates on the tracking page.")
        }
        // A browser's form post; anything else is not this form (and a cross-site script could
        // only send a "simple" form post anyway, which the throttle limits).
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw HTTPError(.unsupportedMediaType, message: "Send the form as application/x-www-form-urlencoded.")
        }
        let form = try await decodeForm(SubscribeForm.self, request)

        func reshow(_ status: HTTPResponse.Status, _ update: (inout SubscribeFormView) -> Void) throws -> Response {
            var page = TrackingPageView.make(
                tenant: tenant, tracked: tracked, language: language, catalog: catalog, prefix: prefix, showOrder: true, now: now())
            page.subscribe?.email = form.email ?? ""
            page.subscribe?.phone = form.phone ?? ""
            if var subscribe = page.subscribe {
                update(&subscribe)
                page.subscribe = subscribe
            }
            return try renderer.response("shopper/tracking", page, status: status, cacheControl: "no-store")
        }

        // The same buckets as the lookup form: one budget per client address and per tenant.
        if let wait = clientThrottle.take("\(tenant.id)|\(context.clientKey)") ?? tenantThrottle.take("\(tenant.id)") {
            var response = try reshow(.tooManyRequests) { $0.error = catalog.text("subscribe.throttled", language) }
            response.headers[.retryAfter] = String(wait)
            return response
        }

        let email = LookupForm.clean(form.email)
        let phone = LookupForm.clean(form.phone)
        guard email != nil || phone != nil else {
            return try reshow(.unprocessableContent) {
                $0.error = catalog.text("subscribe.error_missing", language)
                $0.emailInvalid = true
                $0.phoneInvalid = true
            }
        }
        var addresses: [(NotificationChannel, String)] = []
        var errors: [String] = []
        var emailInvalid = false, phoneInvalid = false
        if let email {
            do { addresses.append((.email, try EmailAddress(email).value)) } catch {
                errors.append(catalog.text("subscribe.error_email", language))
                emailInvalid = true
            }
        }
        if let phone {
            do { addresses.append((.sms, try PhoneNumber(phone).value)) } catch {
                errors.append(catalog.text("subscribe.error_phone", language))
                phoneInvalid = true
            }
        }
        guard errors.isEmpty else {
            return try reshow(.unprocessableContent) {
                $0.error = errors.joined(separator: " ")
                $0.emailInvalid = emailInvalid
                $0.phoneInvalid = phoneInvalid
            }
        }
        for (channel, address) in addresses {
            try await database.subscribe(tenantID: tenant.id, shipmentID: tracked.shipment.id, channel: channel, address: address, now: now())
        }
        // Post, redirect, get: a reload doesn't post the form again.
        return Response(status: .seeOther, headers: [
            .location: SiteRoute.trackingPage.shopperPath(prefix: prefix, token) + "?lang=\(language)&subscribed=1", .cacheControl: "no-store",
        ])
    }
}
