import Foundation

/// The rule for CSS a merchant writes (a template's `<style>` and `style=""`, and the branding's
/// custom CSS): it may style the page but not load anything from elsewhere or run anything.
/// Escapes and comments are undone first, so `\65 xpression(` or `u/**/rl(` read as what a
/// browser would see.
public enum CSSCheck {
    /// Why `css` is refused, or an empty list.
    public static func problems(in css: String) -> [String] {
        // Compatibility forms too: old browsers read fullwidth ｅｘｐｒｅｓｓｉｏｎ as expression.
        let plain = unescaped(css).precomposedStringWithCompatibilityMapping.lowercased()
        var found: [String] = []
        if plain.contains("@import") { found.append("@import loads a stylesheet from elsewhere; put the rules here instead") }
        if plain.contains("expression(") { found.append("expression() runs script in old browsers and is not allowed") }
        if plain.contains("behavior:") || plain.contains("-moz-binding") { found.append("behavior and -moz-binding load code and are not allowed") }
        if plain.contains("javascript:") || plain.contains("vbscript:") { found.append("script URLs are not allowed in CSS") }
        for target in urlTargets(in: plain) where !allowedURL(target) {
            found.append("url(\(target)) loads from another site; only images on this site (/static/...) or data:image/ URLs may be used")
        }
        return found
    }

    /// The text inside each `url(...)`, without quotes and spaces.
    static func urlTargets(in css: String) -> [String] {
        var targets: [String] = []
        var rest = css[...]
        while let open = rest.range(of: "url(") {
            let after = rest[open.upperBound...]
            let inside = after.prefix(while: { $0 != ")" })
            targets.append(inside.trimmingCharacters(in: .whitespacesAndNewlines.union(["\"", "'"])))
            rest = after.dropFirst(inside.count)
        }
        return targets
    }

    /// A same-origin path or an inline image; `//host` is another origin.
    static func allowedURL(_ target: String) -> Bool {
        if target.hasPrefix("data:image/") { return !target.hasPrefix("data:image/svg") }
        if target.hasPrefix("//") || target.hasPrefix("\\") { return false }
        return !target.contains(":")
    }

    /// `css` without comments and with `\XX ` and `\x` escapes replaced by their characters.
    static func unescaped(_ css: String) -> String {
        var out = ""
        var scalars = Array(css.unicodeScalars)[...]
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            if c == "/", scalars.first == "*" {
                // A comment: skip to its end (or the end of the text).
                scalars = scalars.dropFirst()
                while let d = scalars.first, !(d == "*" && scalars.dropFirst().first == "/") { scalars = scalars.dropFirst() }
                scalars = scalars.dropFirst(2)
                continue
            }
            guard c == "\\" else { out.unicodeScalars.append(c); continue }
            let hex = scalars.prefix(while: \.properties.isASCIIHexDigit).prefix(6)
            if hex.isEmpty {
                if let next = scalars.first, next != "\n" { out.unicodeScalars.append(next) }
                scalars = scalars.dropFirst()
            } else {
                scalars = scalars.dropFirst(hex.count)
                if scalars.first == " " { scalars = scalars.dropFirst() }
                if let value = UInt32(String(String.UnicodeScalarView(hex)), radix: 16), let scalar = Unicode.Scalar(value) {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
