import WaymarkCore
import WaymarkWeb

/// What merchants type into the admin: templates of every kind, logos and custom CSS.
enum TemplateFuzzing {
    static let kinds: [TemplateKind] = [.emailHTML, .emailSubject, .emailText, .sms, .pageSection(.banner)]

    static func run(_ text: String) {
        for kind in kinds { _ = TemplateCheck.problems(in: text, kind: kind) }
    }
}

enum BrandingFuzzing {
    static func run(_ input: [UInt8]) {
        _ = try? LogoImage(checking: input)
        _ = CSSCheck.problems(in: String(decoding: input, as: UTF8.self))
    }
}
