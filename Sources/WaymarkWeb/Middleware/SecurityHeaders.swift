import HTTPTypes

/// Headers every response carries, errors included (`EdgeMiddleware` applies them). HTML pages
/// get a strict Content-Security-Policy: nothing runs, nothing loads from elsewhere but images
/// over https.
enum SecurityHeaders {
    /// `default-src 'none'` and only what the shopper pages use: our stylesheets, images (merchant
    /// logos are often hosted on their own CDN), and forms posting back to us.
    static let contentSecurityPolicy = [
        "default-src 'none'", "style-src 'self'", "img-src 'self' https: data:", "form-action 'self'",
        "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// What a response that sets none of these itself gets. Rendered pages and static files are
    /// made with them (`PageRenderer`, `StaticAssets`), so that answering one from memory does
    /// not copy its headers to add them.
    static func fields(servesTLS: Bool) -> HTTPFields {
        var headers = HTTPFields()
        apply(to: &headers, servesTLS: servesTLS)
        return headers
    }

    /// The usual case, a response that set none of these headers itself, costs one look at its
    /// fields and four appends; one made with `fields` is left as it is.
    static func apply(to headers: inout HTTPFields, servesTLS: Bool) {
        var ownPolicy = false, ownFrameOptions = false, ours = 0, others = 0
        for field in headers {
            // Most fields are none of these, and a name's length says so without comparing it.
            guard namedLengths & (1 << min(field.name.canonicalName.utf8.count, 63)) != 0 else { continue }
            switch field.name {
            case .contentSecurityPolicy: ownPolicy = true
            case .xFrameOptions: ownFrameOptions = true
            case .xContentTypeOptions: if field.value == "nosniff" { ours += 1 } else { others += 1 }
            case .referrerPolicy: if field.value == "no-referrer" { ours += 1 } else { others += 1 }
            case .strictTransportSecurity: if servesTLS && field.value == strictTransportSecurity { ours += 1 } else { others += 1 }
            default: continue
            }
        }
        if ours == 0 && others == 0 {
            headers.append(HTTPField(name: .xContentTypeOptions, value: "nosniff"))
            headers.append(HTTPField(name: .referrerPolicy, value: "no-referrer"))
            if !ownPolicy { headers.append(HTTPField(name: .contentSecurityPolicy, value: contentSecurityPolicy)) }
            if !ownFrameOptions { headers.append(HTTPField(name: .xFrameOptions, value: "DENY")) }
            if servesTLS { headers.append(HTTPField(name: .strictTransportSecurity, value: strictTransportSecurity)) }
        } else if others > 0 || ours != (servesTLS ? 3 : 2) || !ownPolicy || !ownFrameOptions {
            replace(in: &headers, servesTLS: servesTLS)
        }
    }

    static let strictTransportSecurity = "max-age=31536000; includeSubDomains"

    /// A bit for each length of the names `apply` looks for.
    private static let namedLengths: UInt64 = [HTTPField.Name.contentSecurityPolicy, .xFrameOptions, .xContentTypeOptions, .referrerPolicy, .strictTransportSecurity]
        .reduce(0) { $0 | 1 << min($1.canonicalName.utf8.count, 63) }

    private static func replace(in headers: inout HTTPFields, servesTLS: Bool) {
        headers[.xContentTypeOptions] = "nosniff"
        // Tracking links are secrets: never leak them to a carrier's site or a logo host.
        headers[.referrerPolicy] = "no-referrer"
        // A route with its own policy keeps it (the admin allows its one script).
        if headers[.contentSecurityPolicy] == nil { headers[.contentSecurityPolicy] = contentSecurityPolicy }
        if headers[.xFrameOptions] == nil { headers[.xFrameOptions] = "DENY" }
        if servesTLS { headers[.strictTransportSecurity] = strictTransportSecurity }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let retryAfter = Self("Retry-After")!
}
