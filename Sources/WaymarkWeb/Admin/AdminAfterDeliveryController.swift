import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore
import WaymarkNotify

/// `/admin/settings/after-delivery`: what delivered tracking pages offer next: a link to the
/// merchant's review page and up to four products (title, picture, link). Every address is
/// checked like any merchant link; shoppers reach them through `/{tenant}/go/{id}`, which counts
/// the clicks the dashboard shows. The merchant's own after-delivery HTML (template editor)
/// shows above these links.
struct AdminAfterDeliveryController {
    let site: AdminSite
    let urlCheck: URLCheck

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminAfterDelivery, .get, mountedAt: .admin, use: show)
        router.on(.adminAfterDelivery, .post, mountedAt: .admin, use: update)
    }

    struct Page: Encodable {
        let action = SiteRoute.adminAfterDelivery.path()
        let review: Row
        let products: [Row]
        let errors: [String]
        let hasErrors: Bool
        let sectionURL: String

        struct Row: Encodable {
            let number: Int
            let title: String
            let image: String
            let url: String
        }
    }

    @Sendable func show(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let links = try await site.database.afterDeliveryLinks(tenantID: session.tenant.id)
        let review = links.first { $0.kind == .review }
        let products = links.filter { $0.kind == .product }
        let rows = (1...AfterDeliveryLinks.maximumProducts).map { number in
            let product = products.indices.contains(number - 1) ? products[number - 1] : nil
            return Page.Row(number: number, title: product?.title ?? "", image: product?.imageURL ?? "", url: product?.url ?? "")
        }
        let notice = request.uri.queryParameters["saved"] != nil ? site.text("settings_saved", context) : nil
        return try await page(
            request, context: context,
            review: Page.Row(number: 0, title: review?.title ?? site.text("after_delivery_review_default", context), image: "", url: review?.url ?? ""),
            products: rows, notice: notice)
    }

    @Sendable func update(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        var errors: [String] = []
        /// The link a row describes, nil for an empty row; a half-filled row is an error.
        func link(_ prefix: String, label: String, withImage: Bool) -> AfterDeliveryLinks.Link? {
            let title = form["\(prefix)_title"]
            let url = form["\(prefix)_url"]
            let image = withImage ? form["\(prefix)_image"] : nil
            guard url != nil || image != nil || (withImage && title != nil) else { return nil }
            guard let title, let url else {
                errors.append(site.text("after_delivery_incomplete", context, ["link": label]))
                return nil
            }
            var valid = true
            if title.count > AfterDeliveryLinks.maximumTitleLength || title.contains(where: \.isNewline) {
                errors.append(site.text("after_delivery_title_too_long", context, ["link": label, "limit": String(AfterDeliveryLinks.maximumTitleLength)]))
                valid = false
            }
            for (field, value) in [("after_delivery_url", url), ("after_delivery_image", image)] {
                guard let value else { continue }
                if let problem = value.utf8.count > 2_048 ? "at most 2,048 characters" : urlCheck.merchantLinkProblem(value) {
                    errors.append("\(label), \(site.text(field, context)): \(problem)")
                    valid = false
                }
            }
            return valid ? AfterDeliveryLinks.Link(title: title, imageURL: image, url: url) : nil
        }
        let review = link("review", label: site.text("after_delivery_review", context), withImage: false)
        let products = (1...AfterDeliveryLinks.maximumProducts).compactMap { number in
            link("product_\(number)", label: site.text("after_delivery_product", context) + " \(number)", withImage: true)
        }
        guard errors.isEmpty else {
            func row(_ prefix: String, _ number: Int) -> Page.Row {
                Page.Row(number: number, title: form["\(prefix)_title"] ?? "", image: form["\(prefix)_image"] ?? "", url: form["\(prefix)_url"] ?? "")
            }
            return try await page(
                request, context: context, review: row("review", 0),
                products: (1...AfterDeliveryLinks.maximumProducts).map { row("product_\($0)", $0) }, errors: errors, status: .unprocessableContent)
        }
        let saved = try await site.database.setAfterDeliveryLinks(
            tenantID: session.tenant.id, AfterDeliveryLinks(review: review, products: products), now: site.now())
        try await site.audit(
            context, "set the after-delivery links: " + (saved.isEmpty ? "none" : saved.map { "\($0.kind.rawValue) \($0.url)" }.joined(separator: ", ")),
            subject: "after-delivery links")
        return AdminSite.seeOther(SiteRoute.adminAfterDelivery.path() + "?saved=1")
    }

    private func page(
        _ request: Request, context: WaymarkRequestContext, review: Page.Row, products: [Page.Row], errors: [String] = [],
        status: HTTPResponse.Status = .ok, notice: String? = nil
    ) async throws -> Response {
        let locale = try site.session(context).tenant.defaultLocale
        let page = Page(
            review: review, products: products, errors: errors, hasErrors: !errors.isEmpty,
            sectionURL: SiteRoute.adminTemplate.path(AdminTemplatesController.segments(TemplateSlot(.page(.afterDelivery), locale: locale))))
        return try await site.render(
            "admin/after-delivery", title: "after_delivery_title", page, context: context, request: request, status: status, notice: notice)
    }
}
