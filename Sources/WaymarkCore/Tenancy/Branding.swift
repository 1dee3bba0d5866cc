import Foundation

/// A merchant's look on the shopper pages: colours, logo, font, its own CSS, a dated
/// announcement, support contacts and the link-preview image. Colours are validated `#rrggbb`
/// values, so they can be written into the theme stylesheet as they are; the custom CSS passed
/// the template CSS check when it was saved.
public struct Branding: Hashable, Codable, Sendable {
    public var primaryColor: HexColor
    public var accentColor: HexColor
    /// A logo elsewhere (https), used when none was uploaded.
    public var logoURL: String?
    /// The uploaded logo's file name (`<digest>.<ext>`), served by Waymark; wins over `logoURL`.
    public var logoFile: String?
    public var supportEmail: String?
    public var supportURL: String?
    public var supportPhone: String?
    public var font: BrandFont
    public var customCSS: String?
    public var announcement: Announcement?
    /// An absolute https URL for link previews (`og:image`); the logo's when nil.
    public var ogImageURL: String?

    public init(
        primaryColor: HexColor = HexColor.waymarkBlue, accentColor: HexColor = HexColor.waymarkGreen,
        logoURL: String? = nil, logoFile: String? = nil, supportEmail: String? = nil, supportURL: String? = nil, supportPhone: String? = nil,
        font: BrandFont = .system, customCSS: String? = nil, announcement: Announcement? = nil, ogImageURL: String? = nil
    ) {
        self.primaryColor = primaryColor
        self.accentColor = accentColor
        self.logoURL = logoURL
        self.logoFile = logoFile
        self.supportEmail = supportEmail
        self.supportURL = supportURL
        self.supportPhone = supportPhone
        self.font = font
        self.customCSS = customCSS
        self.announcement = announcement
        self.ogImageURL = ogImageURL
    }

    enum CodingKeys: String, CodingKey {
        case primaryColor = "primary_color", accentColor = "accent_color", logoURL = "logo_url", logoFile = "logo_file"
        case supportEmail = "support_email", supportURL = "support_url", supportPhone = "support_phone", font
        case customCSS = "custom_css", announcement, ogImageURL = "og_image_url"
    }

    /// A colour left out is Waymark's own, as a new tenant has; so is a font.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            primaryColor: try container.decodeIfPresent(HexColor.self, forKey: .primaryColor) ?? .waymarkBlue,
            accentColor: try container.decodeIfPresent(HexColor.self, forKey: .accentColor) ?? .waymarkGreen,
            logoURL: try container.decodeIfPresent(String.self, forKey: .logoURL),
            logoFile: try container.decodeIfPresent(String.self, forKey: .logoFile),
            supportEmail: try container.decodeIfPresent(String.self, forKey: .supportEmail),
            supportURL: try container.decodeIfPresent(String.self, forKey: .supportURL),
            supportPhone: try container.decodeIfPresent(String.self, forKey: .supportPhone),
            font: try container.decodeIfPresent(BrandFont.self, forKey: .font) ?? .system,
            customCSS: try container.decodeIfPresent(String.self, forKey: .customCSS),
            announcement: try container.decodeIfPresent(Announcement.self, forKey: .announcement),
            ogImageURL: try container.decodeIfPresent(String.self, forKey: .ogImageURL))
    }

    /// The announcement to show on `day` (`yyyy-mm-dd`, UTC), if one is set and runs then.
    public func announcement(on day: String) -> Announcement? {
        guard let announcement, announcement.startsOn.map({ $0 <= day }) ?? true, announcement.endsOn.map({ day <= $0 }) ?? true else { return nil }
        return announcement
    }
}

/// A short notice on every tracking page between two days (either may be open).
public struct Announcement: Hashable, Codable, Sendable {
    /// Plain text, at most 280 characters.
    public var text: String
    /// First and last day shown, `yyyy-mm-dd` (UTC); nil: no limit.
    public var startsOn: String?
    public var endsOn: String?

    public init(text: String, startsOn: String? = nil, endsOn: String? = nil) {
        self.text = text
        self.startsOn = startsOn
        self.endsOn = endsOn
    }

    enum CodingKeys: String, CodingKey {
        case text, startsOn = "starts_on", endsOn = "ends_on"
    }

    public static let maximumLength = 280
}

/// The fonts a merchant may choose: stacks of fonts already on shoppers' devices, so a page never
/// waits for (or leaks a visit to) a font host.
public enum BrandFont: String, Hashable, Codable, Sendable, CaseIterable {
    case system, humanist, serif, rounded, monospace

    /// The CSS `font-family` value.
    public var stack: String {
        switch self {
        case .system: #"system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Hiragino Sans", sans-serif"#
        case .humanist: #"Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif"#
        case .serif: #"Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "Noto Serif", serif"#
        case .rounded: #"ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", Calibri, sans-serif"#
        case .monospace: #"ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace"#
        }
    }
}

/// An opaque sRGB colour written `#rrggbb`.
public struct HexColor: Hashable, Codable, Sendable, CustomStringConvertible {
    public let red: UInt8, green: UInt8, blue: UInt8

    public static let waymarkBlue = HexColor(red: 0x1F, green: 0x4E, blue: 0xD8)
    public static let waymarkGreen = HexColor(red: 0x0E, green: 0x7C, blue: 0x4A)
    public static let white = HexColor(red: 0xFF, green: 0xFF, blue: 0xFF)
    public static let ink = HexColor(red: 0x11, green: 0x18, blue: 0x27)

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Written as `#rrggbb`, the form merchants and the docs use. Documents written before this
    /// was so hold `{"red":…,"green":…,"blue":…}`; they are still read.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let color = HexColor(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a #rrggbb colour"))
            }
            self = color
            return
        }
        let container = try decoder.container(keyedBy: Channels.self)
        self.init(
            red: try container.decode(UInt8.self, forKey: .red), green: try container.decode(UInt8.self, forKey: .green),
            blue: try container.decode(UInt8.self, forKey: .blue))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private enum Channels: String, CodingKey { case red, green, blue }

    /// Accepts `#rgb` and `#rrggbb`, any case.
    public init?(_ text: String) {
        var hex = Substring(text.trimmingWhitespace)
        guard hex.first == "#" else { return nil }
        hex = hex.dropFirst()
        if hex.count == 3 { hex = Substring(hex.flatMap { [$0, $0] }) }
        guard hex.count == 6, hex.allSatisfy(\.isHexDigit), let value = UInt32(hex, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    public var description: String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 0xF)])" }.joined()
    }

    /// WCAG 2.x relative luminance.
    public var relativeLuminance: Double {
        func channel(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    /// WCAG contrast ratio between two colours, 1...21.
    public func contrast(with other: HexColor) -> Double {
        let (a, b) = (relativeLuminance, other.relativeLuminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    /// White or near-black text, whichever reads better on this colour.
    public var readableText: HexColor {
        contrast(with: .white) >= contrast(with: .ink) ? .white : .ink
    }

    /// This colour darkened until text of `foreground` on it (or it on `foreground`) reaches
    /// `ratio`: merchants pick brand colours for looks, the page must still pass WCAG AA.
    public func adjusted(toContrast ratio: Double, against background: HexColor) -> HexColor {
        var color = self
        var steps = 0
        while color.contrast(with: background) < ratio, steps < 40 {
            let towardsDark = background.relativeLuminance > 0.5
            func shift(_ v: UInt8) -> UInt8 {
                towardsDark ? UInt8(Double(v) * 0.9) : UInt8(min(255, Double(v) + (255 - Double(v)) * 0.1 + 1))
            }
            color = HexColor(red: shift(color.red), green: shift(color.green), blue: shift(color.blue))
            steps += 1
        }
        return color
    }
}
