import Foundation
import Testing
import WaymarkCore
@testable import WaymarkWeb

/// The one check every door applies to a merchant's template (`TemplateCheck`, with libxml2's
/// HTML parser underneath), and the render check with the sample shipment (`TemplateSamples`).
@Suite struct TemplateCheckTests {
    static let samples = try! TemplateSamples.load(resourcesPath: packageRoot.path, links: PublicLinks(baseURL: "https://track.waymark.test"))

    /// Each refused construct, with the line and column of the place to fix.
    @Test(arguments: [
        ("<p>Hi</p>\n  <script>alert(1)</script>", 2, 3, "<script> is not allowed"),
        ("<p>\n<img src=\"x.png\" onerror=\"alert(1)\" alt=\"\"></p>", 2, 18, "event handler"),
        ("<a href=\"javascript:alert(1)\">x</a>", 1, 4, "javascript: URLs"),
        ("<a href=\"&#106;ava&#x09;script:alert(1)\">x</a>", 1, 4, "javascript: URLs"),
        ("<a href=\" VBScript:msgbox(1)\">x</a>", 1, 4, "vbscript: URLs"),
        ("<a href=\"data:text/html,<b>x</b>\">x</a>", 1, 4, "data: URLs are only allowed as an image"),
        ("<div>\n\n<iframe src=\"https://x.test\"></iframe></div>", 3, 1, "<iframe> is not allowed"),
        ("<object data=\"x.swf\"></object>", 1, 1, "<object> is not allowed"),
        ("<embed src=\"x.swf\">", 1, 1, "<embed> is not allowed"),
        ("<base href=\"https://evil.test/\">", 1, 1, "<base> is not allowed"),
        ("<form action=\"https://evil.test\"></form>", 1, 1, "<form> is not allowed"),
        ("<style>@import url(https://evil.test/x.css);</style>", 1, 1, "@import"),
        ("<p style=\"background: url(https://evil.test/x.png)\">x</p>", 1, 4, "loads from another site"),
        ("<p style=\"width: expression(alert(1))\">x</p>", 1, 4, "expression()"),
        ("<div><b>bold</div>", 1, 6, "<b> is never closed"),
        ("<section>\n<p>x</p>", 1, 1, "<section> is never closed"),
        ("<a href=\"{{latest.message}}\">x</a>", 1, 4, "may start with a link Waymark made"),
        ("<p style=\"color: {{headline}}\">x</p>", 1, 4, "brand colours"),
        ("<p>{{shopperEmail}}</p>", 1, nil, "{{shopperEmail}} is not a field"),
        ("<p>\n{{{trackURL}}}</p>", 2, nil, "triple mustaches"),
        ("<![><img src=\"]><img src=x onerror=alert(39)//\">", 1, 1, "markup browsers read in different ways"),
    ] as [(String, Int, Int?, String)])
    func refusedConstructsNameTheirPlace(template: String, line: Int, column: Int?, reason: String) throws {
        let problems = TemplateCheck.problems(in: template, kind: .emailHTML)
        let problem = try #require(problems.first { $0.reason.contains(reason) }, "\(template): \(problems)")
        #expect(problem.line == line, "\(template): \(problem)")
        if let column { #expect(problem.column == column, "\(template): \(problem)") }
    }

    @Test func metaRefreshIsRefusedInEmailsAndAWholeDocumentInSections() {
        let refresh = "<html><head><meta http-equiv=\"refresh\" content=\"0;url=https://evil.test\"></head><body></body></html>"
        #expect(TemplateCheck.problems(in: refresh, kind: .emailHTML).contains { $0.reason.contains("<meta http-equiv>") })
        #expect(TemplateCheck.problems(in: "<body><p>x</p></body>", kind: .pageSection(.banner)).contains { $0.reason.contains("belongs to a whole page") })
    }

    /// What merchants write: links Waymark made, brand colours, sections around markup and
    /// between attributes, a bare & in a link, optional end tags, a whole email document.
    @Test func ordinaryTemplatesPass() throws {
        try TemplateCheck.check("""
            <div class="promo" style="border-top: 3px solid {{brandColor}}">
              <p>Thank you for shopping at {{merchantName}} &amp; co!</p>
              {{#delivered}}<p><a href="https://shop.test/review?order={{orderNumber}}&src=tracking" rel="noopener">Review</a></p>{{/delivered}}
              <ul><li class="x"{{#delivered}} aria-current="true"{{/delivered}}>One<li>Two</ul>
              <img src="data:image/png;base64,iVBORw0KGgo=" alt="">
            </div>
            """, kind: .pageSection(.banner))
        try TemplateCheck.check("""
            <!doctype html>
            <html lang="{{lang}}"><head><meta charset="utf-8"><title>{{subject}}</title>
            <style>.button { background: {{brandColor}}; color: {{brandTextColor}}; }</style></head>
            <body><h1>{{headline}}</h1>{{#latest}}<p>{{message}} – {{when}}</p>{{/latest}}
            <p><a class="button" href="{{trackURL}}">{{trackButton}}</a> <a href="mailto:help@shop.test">Help</a></p>
            {{#unsubscribeURL}}<p><a href="{{unsubscribeURL}}">{{unsubscribeLabel}}</a></p>{{/unsubscribeURL}}</body></html>
            """, kind: .emailHTML)
        try TemplateCheck.check("{{<emails.layout}}\n{{$extra}}<p>Hello from {{merchantName}} & co</p>{{/extra}}\n{{/emails.layout}}", kind: .emailHTML)
        try TemplateCheck.check("{{merchantName}}: {{line}} {{trackURL}}", kind: .sms)
        try TemplateCheck.check("{{headline}} – order {{#orderHeading}}{{orderHeading}}{{/orderHeading}}", kind: .emailSubject)
    }

    @Test func anUnknownFieldIsNamedWithTheListOfAllowedOnes() throws {
        let problem = try #require(TemplateCheck.problems(in: "Hi {{customer.name}}", kind: .sms).first)
        #expect(problem.reason.contains("{{customer.name}} is not a field"))
        #expect(problem.reason.contains("{{trackURL}}") && problem.reason.contains("{{merchantName}}"))
        // A field of an open section is found by its own name; outside it, it is unknown.
        #expect(TemplateCheck.problems(in: "{{#latest}}{{when}}{{/latest}}", kind: .sms).isEmpty)
        #expect(!TemplateCheck.problems(in: "{{when}}", kind: .sms).isEmpty)
        #expect(!TemplateCheck.problems(in: "{{trackURL}}", kind: .pageSection(.footer)).isEmpty)
        #expect(TemplateCheck.problems(in: "{{pageURL}}", kind: .pageSection(.footer)).isEmpty)
    }

    @Test func sizeAndLayoutLimits() {
        let big = String(repeating: "<p>words</p>\n", count: 5_100)
        #expect(TemplateCheck.problems(in: big, kind: .pageSection(.footer)).first?.reason.contains("at most 65536") == true)
        #expect(!TemplateCheck.problems(in: "{{<emails.layout}}{{/emails.layout}}", kind: .pageSection(.header)).isEmpty)
        #expect(!TemplateCheck.problems(in: "{{<emails.layout}}{{$footer}}x{{/footer}}{{/emails.layout}}", kind: .emailHTML).isEmpty)
        #expect(!TemplateCheck.problems(in: "one\ntwo", kind: .emailSubject).isEmpty)
    }

    /// The vocabulary lists what the view models hold: every field a sample message or page
    /// section has (in every status) is in it, so a template can use all of them.
    @Test func theVocabulariesCoverTheViewModels() throws {
        let tenant = Tenant(id: 1, slug: "acme", name: "Acme", branding: Branding(logoURL: "https://cdn.acme.test/l.png", supportEmail: "help@acme.test"), createdAt: Fixture.now)
        for name in TemplateMessageComposer.templateNames {
            let claimed = try Self.samples.claimed(message: name, channel: .email, language: "en", tenant: tenant, now: Fixture.now)
            let body = try JSONDecoder().decode(WebhookEventBody.self, from: Data(claimed.delivery.payload.utf8))
            let view = ShopperMessageView.make(
                body: body, name: name, substatus: nil, tenant: tenant, language: "en", catalog: Self.samples.sections.catalog,
                trackingURL: "https://x.test/t", unsubscribeURL: "https://x.test/u", source: "email",
                logoURL: "https://cdn.acme.test/l.png")
            #expect(Set(Self.paths(TemplateTree.make(view))).subtracting(TemplateVocabulary.message.fields).isEmpty)
        }
        for status in DeliveryStatus.allCases {
            let tracked = TemplateSamples.shipment(status: status, language: "en", tenant: tenant, now: Fixture.now)
            let view = Self.samples.sections.view(tenant: tenant, tracked: tracked, language: "en", prefix: "/acme", now: Fixture.now)
            #expect(Set(Self.paths(TemplateTree.make(view))).subtracting(TemplateVocabulary.pageSection.fields).isEmpty)
        }
    }

    /// Samples render for every message and section; a limit of zero shows the time check works.
    @Test func samplesRenderEverySlotAndTheTimeLimitRefuses() {
        let tenant = Tenant(id: 1, slug: "acme", name: "Acme", createdAt: Fixture.now)
        for name in TemplateMessageComposer.templateNames {
            for channel in [NotificationChannel.email, .sms] {
                let candidate = TemplateCandidate(slot: TemplateSlot(.message(channel, name: name), locale: "de"), body: "{{headline}} {{trackURL}}")
                #expect(Self.samples.problems(in: candidate, tenant: tenant, now: Fixture.now).isEmpty, "\(candidate.slot)")
            }
        }
        let section = TemplateCandidate(slot: TemplateSlot(.page(.afterDelivery), locale: "ja"), body: "<p>{{headline}}</p>")
        #expect(Self.samples.problems(in: section, tenant: tenant, now: Fixture.now).isEmpty)
        let slow = Self.samples.renderProblems(of: section, tenant: tenant, now: Fixture.now, limit: .zero)
        #expect(slow.first?.reason.contains("to render") == true)
    }

    /// Every payload of the DOMPurify corpus, saved as a page section and as an email: refused,
    /// or rendered with no script, event handler or script URL (read back by a tokenizer of the
    /// test's own, not by the check's parser).
    @Test(.enabled(if: TestData.available, "../shared/testdata is missing"))
    func dompurifyCorpusIsRefusedOrRendersInert() throws {
        let url = TestData.root.appendingPathComponent("dompurify-fixtures/expect.json")
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        let payloads = cases.compactMap { $0["payload"] as? String }
        let tenant = Tenant(id: 1, slug: "acme", name: "Acme", createdAt: Fixture.now)
        var refused = (section: 0, email: 0)
        for payload in payloads {
            let section = TemplateCandidate(slot: TemplateSlot(.page(.banner), locale: "en"), body: payload)
            if Self.samples.problems(in: section, tenant: tenant, now: Fixture.now).isEmpty {
                let tracked = TemplateSamples.shipment(status: .delivered, language: "en", tenant: tenant, now: Fixture.now)
                let view = Self.samples.sections.view(tenant: tenant, tracked: tracked, language: "en", prefix: "/acme", now: Fixture.now)
                let html = try Self.samples.sections.html(payload, view: view)
                #expect(InertHTML.dangers(in: html).isEmpty, "section \(payload.prefix(120)): \(InertHTML.dangers(in: html))")
            } else {
                refused.section += 1
            }
            let email = TemplateCandidate(slot: TemplateSlot(.message(.email, name: "delivered"), locale: "en"), body: payload)
            if Self.samples.problems(in: email, tenant: tenant, now: Fixture.now).isEmpty {
                let claimed = try Self.samples.claimed(message: "delivered", channel: .email, language: "en", tenant: tenant, now: Fixture.now)
                let html = try Self.samples.composer.email(for: claimed, using: email.messageTemplate(tenantID: 1, now: Fixture.now)).html
                #expect(InertHTML.dangers(in: html).isEmpty, "email \(payload.prefix(120)): \(InertHTML.dangers(in: html))")
            } else {
                refused.email += 1
            }
        }
        print("DOMPurify corpus: \(payloads.count) payloads; as a page section \(refused.section) refused, \(payloads.count - refused.section) rendered inert; as an email \(refused.email) refused, \(payloads.count - refused.email) rendered inert")
        #expect(payloads.count > 200)
        #expect(refused.section > payloads.count / 2)
    }

    /// Every dotted path of a template tree.
    static func paths(_ tree: Any, prefix: String = "") -> [String] {
        switch tree {
        case let dictionary as [String: Any]:
            dictionary.flatMap { key, value in
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                return [path] + paths(value, prefix: path)
            }
        case let list as [Any]: list.flatMap { paths($0, prefix: prefix) }
        default: []
        }
    }
}

/// A small HTML tokenizer after the WHATWG states that matter here (tags, quoted and unquoted
/// attributes, comments, raw text), reporting what could run: a script-capable element, an
/// event-handler attribute, or a script URL.
enum InertHTML {
    static func dangers(in html: String) -> [String] {
        var found: [String] = []
        let s = Array(html.unicodeScalars)
        var i = 0
        func lower(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(s[range])).lowercased() }
        while i < s.count {
            guard s[i] == "<" else { i += 1; continue }
            if lower(i..<min(i + 4, s.count)) == "<!--" {
                var j = i + 4
                while j + 2 < s.count, lower(j..<j + 3) != "-->" { j += 1 }
                i = j + 3
                continue
            }
            var j = i + 1
            if j < s.count, s[j] == "/" { j += 1 }
            let nameStart = j
            while j < s.count, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) { j += 1 }
            let name = lower(nameStart..<j)
            guard !name.isEmpty else { i += 1; continue }
            if ["script", "iframe", "object", "embed", "frame", "applet", "base", "form", "svg", "math"].contains(name) { found.append("<\(name)>") }
            // Attributes until the tag's end.
            while j < s.count, s[j] != ">" {
                while j < s.count, s[j] == " " || s[j] == "\n" || s[j] == "\t" || s[j] == "/" || s[j] == "\r" { j += 1 }
                let attrStart = j
                while j < s.count, !" \n\t\r/>=".unicodeScalars.contains(s[j]) { j += 1 }
                let attribute = lower(attrStart..<j)
                var value = ""
                while j < s.count, s[j] == " " { j += 1 }
                if j < s.count, s[j] == "=" {
                    j += 1
                    while j < s.count, s[j] == " " { j += 1 }
                    if j < s.count, s[j] == "\"" || s[j] == "'" {
                        let quote = s[j]
                        let start = j + 1
                        j = start
                        while j < s.count, s[j] != quote { j += 1 }
                        value = lower(start..<min(j, s.count))
                        j += 1
                    } else {
                        let start = j
                        while j < s.count, !" \n\t\r>".unicodeScalars.contains(s[j]) { j += 1 }
                        value = lower(start..<j)
                    }
                }
                if attribute.hasPrefix("on") { found.append("\(attribute)= on <\(name)>") }
                let decoded = value.replacingOccurrences(of: "&#106;", with: "j").replacingOccurrences(of: "&#x09;", with: "")
                    .unicodeScalars.filter { $0.value > 0x20 }.map(String.init).joined()
                if decoded.hasPrefix("javascript:") || decoded.hasPrefix("vbscript:") { found.append("script URL in \(attribute)") }
                if attrStart == j, j < s.count, s[j] != ">" { j += 1 }
            }
            // The content of raw-text elements is not markup.
            if ["style", "textarea", "title", "xmp"].contains(name), s[nameStart - 1] != "/" {
                let close = "</\(name)"
                var k = j
                while k < s.count, lower(k..<min(k + close.unicodeScalars.count, s.count)) != close { k += 1 }
                j = k
            }
            i = j + 1
        }
        return found
    }
}
