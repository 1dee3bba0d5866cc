import WaymarkCore

/// The tenant's branding as CSS custom properties. Colours are adjusted until text on them
/// passes WCAG AA (4.5:1), so a merchant's pale brand colour can't make the page unreadable.
enum ThemeStylesheet {
    static func css(for branding: Branding) -> String {
        let brand = branding.primaryColor.adjusted(toContrast: 4.5, against: .white)
        let accent = branding.accentColor.adjusted(toContrast: 4.5, against: .white)
        return """
            :root {
              --brand: \(brand);
              --brand-contrast: \(brand.readableText);
              --accent: \(accent);
              --accent-contrast: \(accent.readableText);
            }

            """
    }
}
