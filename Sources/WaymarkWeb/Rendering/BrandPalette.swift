import WaymarkCore

/// A tenant's brand colours made safe to read: darkened until text on them (and they on white)
/// passes WCAG AA (4.5:1), each with the text colour that reads best on it. The tracking page's
/// theme stylesheet and the emails use the same palette, so both look and read alike.
struct BrandPalette {
    let brand: HexColor
    let brandContrast: HexColor
    let accent: HexColor
    let accentContrast: HexColor

    init(_ branding: Branding) {
        brand = branding.primaryColor.adjusted(toContrast: 4.5, against: .white)
        brandContrast = brand.readableText
        accent = branding.accentColor.adjusted(toContrast: 4.5, against: .white)
        accentContrast = accent.readableText
    }
}

extension Branding {
    /// Where shoppers reach the merchant: the support page, else a mailto: link to the support address.
    var supportLink: String? {
        supportURL ?? supportEmail.map { "mailto:\($0)" }
    }
}
