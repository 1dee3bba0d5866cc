import Testing
import WaymarkCore

@Suite("ShopperLanguage.negotiate")
struct ShopperLanguageTests {
    func negotiate(_ query: String? = nil, _ acceptLanguage: String? = nil, tenant: String? = nil) -> String {
        ShopperLanguage.negotiate(query: query, acceptLanguage: acceptLanguage, tenantDefault: tenant)
    }

    @Test("?lang= wins over the browser and the tenant")
    func queryWins() {
        #expect(negotiate("fr", "de, en;q=0.5", tenant: "es") == "fr")
        #expect(negotiate("ja", nil, tenant: "de") == "ja")
    }

    @Test("An unsupported ?lang= falls through to Accept-Language")
    func unsupportedQuery() {
        #expect(negotiate("xx", "de", tenant: "es") == "de")
    }

    @Test("Accept-Language is ranked by q-value, then by header order")
    func qValues() {
        #expect(negotiate(nil, "fr;q=0.5, de;q=0.9") == "de")
        #expect(negotiate(nil, "it, es") == "it")
        #expect(negotiate(nil, "es;q=0.8, it;q=0.8, nl;q=0.1") == "es")
        #expect(negotiate(nil, "de-AT, de;q=0.9, en;q=0.8") == "de")
        #expect(negotiate(nil, "xx, sv;q=0.9, pl;q=0.2") == "pl")
    }

    @Test("q=0 and * are not preferences")
    func zeroAndStar() {
        #expect(negotiate(nil, "fr;q=0, de;q=0.1") == "de")
        #expect(negotiate(nil, "*, nl;q=0.5") == "nl")
        #expect(negotiate(nil, "fr;q=0", tenant: "it") == "it")
    }

    @Test("Chinese: Simplified for zh and zh-CN, nothing for Traditional")
    func chinese() {
        #expect(negotiate(nil, "zh-CN") == "zh-Hans")
        #expect(negotiate(nil, "zh") == "zh-Hans")
        #expect(negotiate(nil, "zh-Hans-SG") == "zh-Hans")
        #expect(negotiate(nil, "zh-TW", tenant: "de") == "de")
        #expect(negotiate(nil, "zh-TW") == "en")
        #expect(negotiate(nil, "zh-Hant-HK, ja;q=0.5") == "ja")
        #expect(negotiate("zh-HK", nil, tenant: "fr") == "fr")
    }

    @Test("Regional variants map to their language")
    func regionalVariants() {
        #expect(negotiate(nil, "pt-BR") == "pt")
        #expect(ShopperLanguage.match("PT_br") == "pt")
        #expect(ShopperLanguage.match("de-AT") == "de")
        #expect(ShopperLanguage.match(" en-GB ") == "en")
        #expect(ShopperLanguage.match("") == nil)
        #expect(ShopperLanguage.match("sv-SE") == nil)
    }

    @Test("Unknown languages fall back to the tenant default, then English")
    func fallbacks() {
        #expect(negotiate(nil, "xx-YY", tenant: "nl") == "nl")
        #expect(negotiate(nil, "xx-YY", tenant: nil) == "en")
        #expect(negotiate(nil, nil, tenant: "xx") == "en")
        #expect(negotiate(nil, nil, tenant: "zh-Hans") == "zh-Hans")
        #expect(negotiate(nil, "", tenant: "pl") == "pl")
    }
}
