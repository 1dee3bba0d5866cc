import WaymarkCore

/// The tenant's branding as CSS custom properties, then its own CSS. Colours are adjusted until
/// text on them passes WCAG AA (4.5:1), so a merchant's pale brand colour can't make the page
/// unreadable; the custom CSS passed `CSSCheck` when it was saved.
enum ThemeStylesheet {
    static func css(for branding: Branding) -> String {
        let palette = BrandPalette(branding)
        var css = """
            :root {
              --brand: \(palette.brand);
              --brand-contrast: \(palette.brandContrast);
              --accent: \(palette.accent);
              --accent-contrast: \(palette.accentContrast);
              --font: \(branding.font.stack);
            }

            """
        if let custom = branding.customCSS, !custom.isEmpty { css += "\n/* The merchant's own CSS */\n" + custom + "\n" }
        return css
    }
}
