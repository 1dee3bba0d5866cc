import Testing
import WaymarkCore

@Suite("TenantSlug")
struct TenantSlugTests {
    @Test("Valid slugs are kept as they are", arguments: ["ab", "acme", "acme-shop", "shop42", "4x4", "a-b-c", String(repeating: "z", count: 40)])
    func valid(slug: String) throws {
        #expect(try TenantSlug(slug).value == slug)
    }

    @Test("Too short or too long slugs are rejected with their length")
    func length() {
        #expect(throws: TenantSlug.Invalid.length(0)) { try TenantSlug("") }
        #expect(throws: TenantSlug.Invalid.length(1)) { try TenantSlug("a") }
        #expect(throws: TenantSlug.Invalid.length(41)) { try TenantSlug(String(repeating: "z", count: 41)) }
    }

    @Test("Uppercase, underscores and other characters are rejected", arguments: ["Acme", "ACME", "acme_shop", "acme shop", "café", "acme.shop", "acme/x"])
    func characters(slug: String) {
        #expect(throws: TenantSlug.Invalid.characters(slug)) { try TenantSlug(slug) }
    }

    @Test("A hyphen may not lead or trail", arguments: ["-acme", "acme-", "--", "-a-"])
    func hyphenAtEdge(slug: String) {
        #expect(throws: TenantSlug.Invalid.hyphenAtEdge(slug)) { try TenantSlug(slug) }
    }

    @Test("Every reserved word is refused")
    func reserved() {
        #expect(TenantSlug.reserved.contains("admin"))
        #expect(TenantSlug.reserved.contains("api"))
        for word in TenantSlug.reserved {
            if word.count >= 2 {
                #expect(throws: TenantSlug.Invalid.reserved(word)) { try TenantSlug(word) }
            } else {
                // Words shorter than a slug can be are refused by the length rule.
                #expect(throws: TenantSlug.Invalid.self) { try TenantSlug(word) }
            }
        }
    }

    @Test("Reserved words are matched whole: a longer slug containing one is fine")
    func reservedIsWholeWord() throws {
        #expect(try TenantSlug("admin-shop").value == "admin-shop")
        #expect(try TenantSlug("apis").value == "apis")
    }
}
