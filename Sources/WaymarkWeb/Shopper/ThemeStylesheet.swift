import WaymarkCore

/// The tenant's branding as CSS custom properties. Colours are adjusted until text on them
/// passes WCAG AA (4.5:1), so a merchant's pale brand colour can't make the page unreadable.
enum ThemeStylesheet {
    static func css(for branding: Branding) -> String {
        let palette = BrandPalette(branding)
        return """
            :root {
              --brand: \(palette.brand);
              --brand-contrast: \(palette.brandContrast);
              --accent: \(palette.accent);
              --accent-contrast: \(palette.accentContrast);
            }

            """
    }
}
