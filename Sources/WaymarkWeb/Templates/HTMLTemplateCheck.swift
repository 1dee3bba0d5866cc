import CLibXML2
import Foundation

/// The HTML half of the check on a merchant's template: the text is parsed with libxml2's HTML
/// parser, as a browser would read it (entities decoded, tags closed for us noted), and every
/// element, attribute, URL and style is held against an allow-list. Mustache section tags are
/// blanked out first (same length, so lines and columns stay the merchant's); variables stay, so
/// a URL or style that a variable fills can be judged by which variable it is.
public struct HTMLTemplateCheck: Sendable {
    /// Variables that hold a URL Waymark made (the tracking page, the support link): the only
    /// ones an `href` or `src` may start with.
    public var urlVariables: Set<String>
    /// Variables that hold a colour Waymark checked: the only ones CSS may use.
    public var styleVariables: Set<String>
    /// Whether `<html>`, `<head>`, `<body>`, `<title>` and `<meta>` may appear (an email may be a
    /// whole document; a page section is a fragment).
    public var wholeDocument: Bool

    public init(urlVariables: Set<String>, styleVariables: Set<String>, wholeDocument: Bool) {
        self.urlVariables = urlVariables
        self.styleVariables = styleVariables
        self.wholeDocument = wholeDocument
    }

    /// Every problem with `text`, in the order they appear.
    public func problems(in text: String) -> [TemplateProblem] {
        let source = SourceText(Self.maskingSections(text))
        let state = ParseState(source: source)
        parse(state)
        var problems = state.problems + Self.markupDeclarations(in: source)
        if let document = state.document {
            // Every top-level node: a fragment parsed without an implied <html> may have several.
            walk(document.pointee.children, in: state, problems: &problems)
            xmlFreeDoc(document)
        }
        return problems.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
    }

    // MARK: - Parsing

    private func parse(_ state: ParseState) {
        let bytes = state.source.bytes
        guard !bytes.isEmpty else { return }
        let context: htmlParserCtxtPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { htmlCreateMemoryParserCtxt($0, Int32(buffer.count)) }
            }
        }
        guard let context else {
            state.problems.append(TemplateProblem(line: nil, "the HTML could not be read"))
            return
        }
        defer { htmlFreeParserCtxt(context) }
        xmlSwitchEncoding(context, XML_CHAR_ENCODING_UTF8)
        htmlCtxtUseOptions(context, Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOIMPLIED.rawValue | HTML_PARSE_NOBLANKS.rawValue))
        let unmanaged = Unmanaged.passRetained(state)
        defer { unmanaged.release() }
        context.pointee._private = unmanaged.toOpaque()
        if let sax = context.pointee.sax {
            sax.pointee.startElement = { ctx, name, attributes in
                xmlSAX2StartElement(ctx, name, attributes)
                guard let (context, state) = ParseState.from(ctx), let name else { return }
                state.started(String(cString: name), node: context.pointee.node, at: ParseState.offset(context))
            }
            sax.pointee.endElement = { ctx, name in
                if let (context, state) = ParseState.from(ctx), let name {
                    state.ended(String(cString: name), node: context.pointee.node, at: ParseState.offset(context))
                }
                xmlSAX2EndElement(ctx, name)
            }
            sax.pointee.serror = { ctx, error in
                guard let (_, state) = ParseState.from(ctx), let error else { return }
                state.parserError(error.pointee)
            }
            sax.pointee.initialized = XML_SAX2_MAGIC
        }
        htmlParseDocument(context)
        state.document = context.pointee.myDoc
        context.pointee.myDoc = nil
    }

    /// `text` with every `{{#…}}`, `{{^…}}`, `{{/…}}`, `{{!…}}`, `{{$…}}` and `{{<…}}` tag turned
    /// into spaces (newlines kept): a section may sit between attributes or around tags.
    static func maskingSections(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index + 1 < scalars.count {
            guard scalars[index] == "{", scalars[index + 1] == "{" else { index += 1; continue }
            var sigil = index + 2
            while sigil < scalars.count, scalars[sigil] == " " { sigil += 1 }
            guard sigil < scalars.count, "#^/!$<".unicodeScalars.contains(scalars[sigil]) else { index += 2; continue }
            var end = sigil
            while end + 1 < scalars.count, !(scalars[end] == "}" && scalars[end + 1] == "}") { end += 1 }
            let stop = min(end + 2, scalars.count)
            for i in index..<stop where scalars[i] != "\n" { scalars[i] = " " }
            index = stop
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// `<!` and `<?` other than a comment or the doctype: browsers and libxml2 read such bogus
    /// markup differently, and a check is only as good as its agreement with the browser.
    static func markupDeclarations(in source: SourceText) -> [TemplateProblem] {
        var found: [TemplateProblem] = []
        let bytes = source.bytes
        for index in bytes.indices.dropLast() where bytes[index] == UInt8(ascii: "<") {
            let next = bytes[index + 1]
            let isComment = bytes[(index + 1)...].starts(with: "!--".utf8)
            let isDoctype = next == UInt8(ascii: "!") && source.hasName("doctype", at: index + 2)
            guard next == UInt8(ascii: "?") || (next == UInt8(ascii: "!") && !isComment && !isDoctype) else { continue }
            let place = source.place(of: index)
            found.append(TemplateProblem(line: place.line, column: place.column,
                "<\(Character(Unicode.Scalar(next))) starts markup browsers read in different ways; write &lt; for a literal <"))
        }
        return found
    }

    // MARK: - Rules

    private func walk(_ start: xmlNodePtr?, in state: ParseState, problems: inout [TemplateProblem]) {
        var current = start
        while let node = current {
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                // A refused element's content is not looked at (its problem is enough), nor is
                // <style>'s CSS, which is text to the parser.
                if check(element: node, in: state, problems: &problems), Self.name(node) != "style" {
                    walk(node.pointee.children, in: state, problems: &problems)
                }
            case XML_PI_NODE:
                problems.append(TemplateProblem(line: Int(xmlGetLineNo(node)), "processing instructions (<?…?>) are not allowed"))
            case XML_COMMENT_NODE:
                let text = Self.content(node).lowercased()
                if text.contains("[if") || text.contains("<") {
                    let at = state.position(of: node)
                    problems.append(TemplateProblem(line: at?.line ?? Int(xmlGetLineNo(node)), column: at?.column,
                        "comments may not hold markup (Outlook's conditional comments included)"))
                }
            default:
                break
            }
            current = node.pointee.next
        }
    }

    /// Checks one element and its attributes; false when the element itself is refused.
    private func check(element node: xmlNodePtr, in state: ParseState, problems: inout [TemplateProblem]) -> Bool {
        guard let name = Self.name(node) else { return true }
        let at = state.position(of: node)
        let line = at?.line ?? Int(xmlGetLineNo(node))
        func refuse(_ reason: String, column: Int? = at?.column) {
            problems.append(TemplateProblem(line: line, column: column, reason))
        }
        if let reason = Self.refusedElements[name] {
            refuse("<\(name)> is not allowed: \(reason)")
            return false
        }
        let document = ["html", "head", "body", "title", "meta"]
        if document.contains(name), !wholeDocument {
            refuse("<\(name)> belongs to a whole page; a section is a fragment of the page's body")
            return false
        }
        guard Self.allowedElements.contains(name) || document.contains(name) else {
            refuse("<\(name)> is not an element templates may use")
            return false
        }
        var attribute = node.pointee.properties
        while let current = attribute {
            attribute = current.pointee.next
            guard let rawName = current.pointee.name else { continue }
            let attributeName = String(cString: rawName).lowercased()
            let value = Self.value(of: current, in: node)
            let column = at.flatMap { state.source.column(ofAttribute: attributeName, inTagAt: $0.offset) } ?? at?.column
            if let reason = attributeProblem(attributeName, value: value, element: name) {
                refuse(reason, column: column)
            }
        }
        if name == "style" {
            let css = Self.content(node)
            for reason in CSSCheck.problems(in: css) + variableProblems(inStyle: css) { refuse("in <style>: \(reason)") }
        }
        return true
    }

    private func attributeProblem(_ name: String, value: String, element: String) -> String? {
        if name.hasPrefix("on") { return "event handler attributes such as \(name) run script and are not allowed" }
        if name.contains("{") { return "an attribute's name cannot come from a variable; put the {{…}} inside its value" }
        if name == "name", element != "meta" { return "name is only for <meta>; use id or class" }
        if element == "meta", name == "http-equiv" { return "<meta http-equiv> can redirect or change the page's rules and is not allowed" }
        guard Self.allowedAttributes.contains(name) || name.hasPrefix("aria-") || name.hasPrefix("data-") else {
            return "the attribute \(name) is not allowed"
        }
        if name == "style" {
            let reasons = CSSCheck.problems(in: value) + variableProblems(inStyle: value)
            return reasons.isEmpty ? nil : "in style: " + reasons.joined(separator: "; ")
        }
        if Self.urlAttributes.contains(name) { return urlProblem(value, attribute: name, element: element) }
        return nil
    }

    /// A link may be http(s), mailto or tel, a path on the page's site, or start with one of the
    /// URL variables; an image may also be a `data:image/` URL.
    private func urlProblem(_ value: String, attribute: String, element: String) -> String? {
        // Browsers drop tabs, newlines and leading controls: `java\tscript:` is `javascript:`.
        let squeezed = String(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7f }.map(Character.init))
        if squeezed.hasPrefix("{{") {
            let variable = squeezed.dropFirst(2).prefix(while: { $0 != "}" }).trimmingCharacters(in: .whitespaces)
            if urlVariables.contains(variable) { return nil }
            let names = urlVariables.sorted().map { "{{\($0)}}" }.joined(separator: ", ")
            return "\(attribute) may start with a link Waymark made (\(names)), not with {{\(variable)}}"
        }
        // The part of the value no variable decides.
        let literal = squeezed.prefix(while: { $0 != "{" })
        guard let colon = literal.firstIndex(of: ":"), !literal[..<colon].contains(where: { "/?#".contains($0) }) else {
            if literal.hasPrefix("//") { return "\(attribute)=\"\(value)\" needs a scheme: write https://" }
            if literal.count < squeezed.count, !literal.hasPrefix("/"), !literal.hasPrefix("#"), !literal.hasPrefix("?") {
                return "\(attribute)=\"\(value)\": a variable may not decide where a link goes; start with https:// or a link variable"
            }
            return nil  // a path on the same site
        }
        let scheme = literal[..<colon].lowercased()
        switch scheme {
        case "http", "https": return nil
        case "mailto", "tel": return element == "a" ? nil : "\(scheme): links belong on <a>"
        case "data":
            let isImage = (element == "img" && attribute == "src") && squeezed.lowercased().hasPrefix("data:image/")
            return isImage ? nil : "data: URLs are only allowed as an image's src"
        case "javascript", "vbscript": return "\(scheme): URLs run script and are not allowed"
        default: return "\(scheme): links are not allowed; use https://, mailto: or tel:"
        }
    }

    /// A variable in CSS must be one of the checked colours.
    private func variableProblems(inStyle css: String) -> [String] {
        var found: [String] = []
        var rest = css[...]
        while let open = rest.range(of: "{{") {
            let name = rest[open.upperBound...].prefix(while: { $0 != "}" }).trimmingCharacters(in: .whitespaces)
            if !styleVariables.contains(name) {
                let names = styleVariables.sorted().map { "{{\($0)}}" }.joined(separator: ", ")
                found.append("only the brand colours (\(names)) may be used inside CSS, not {{\(name)}}")
            }
            rest = rest[open.upperBound...]
        }
        return found
    }

    // MARK: - Lists

    /// Elements refused with their reason (others not in `allowedElements` get a general one).
    static let refusedElements: [String: String] = [
        "script": "templates cannot run script",
        "noscript": "templates cannot run script, so there is nothing to fall back from",
        "iframe": "it embeds another page", "frame": "it embeds another page", "frameset": "it embeds other pages",
        "object": "it embeds a plug-in", "embed": "it embeds a plug-in", "applet": "it embeds a plug-in",
        "base": "it changes where every link on the page goes",
        "form": "forms would send the shopper's input elsewhere", "input": "forms are not allowed",
        "button": "forms are not allowed", "select": "forms are not allowed", "textarea": "forms are not allowed",
        "link": "it loads a stylesheet from elsewhere; use <style> or the branding's custom CSS",
        "svg": "inline SVG can carry script; use <img> with an https:// image",
        "math": "MathML is not supported in templates",
        "template": "it holds markup the page would not check",
    ]

    static let allowedElements: Set<String> = [
        "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code",
        "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre",
        "q", "s", "samp", "section", "small", "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "u", "ul", "wbr",
    ]

    static let allowedAttributes: Set<String> = [
        "class", "id", "style", "title", "lang", "dir", "role", "hidden", "translate",
        "href", "target", "rel", "hreflang", "src", "alt", "width", "height", "loading", "decoding", "background",
        "align", "valign", "bgcolor", "border", "cellpadding", "cellspacing", "colspan", "rowspan", "scope", "headers", "abbr",
        "summary", "span", "color", "face", "size", "start", "reversed", "type", "datetime", "cite", "open", "media",
        "charset", "name", "content", "xmlns",
    ]

    static let urlAttributes: Set<String> = ["href", "src", "background", "cite"]

    static let voidElements: Set<String> = [
        "area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input", "isindex", "keygen", "link", "meta",
        "param", "source", "track", "wbr",
    ]

    /// Elements whose end tag HTML lets a writer leave out.
    static let optionalEndTags: Set<String> = [
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
        "rb", "rt", "rp", "rtc", "html", "head", "body",
    ]

    // MARK: - libxml2 values

    static func name(_ node: xmlNodePtr) -> String? {
        node.pointee.name.map { String(cString: $0).lowercased() }
    }

    static func content(_ node: xmlNodePtr) -> String {
        guard let raw = xmlNodeGetContent(node) else { return "" }
        defer { waymark_xml_free(raw) }
        return String(cString: raw)
    }

    static func value(of attribute: xmlAttrPtr, in node: xmlNodePtr) -> String {
        guard let raw = xmlNodeListGetString(node.pointee.doc, attribute.pointee.children, 1) else { return "" }
        defer { waymark_xml_free(raw) }
        return String(cString: raw)
    }
}

/// The template's bytes, with where each line starts, for turning parser offsets into places.
struct SourceText {
    let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        lineStarts = starts
    }

    /// Line and column (in characters) of byte `offset`.
    func place(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        let characters = bytes[start..<min(offset, bytes.count)].count(where: { $0 & 0xC0 != 0x80 })
        return (low + 1, characters + 1)
    }

    /// Whether the ASCII name `name` starts at `offset`, in any case, and ends there.
    func hasName(_ name: String, at offset: Int) -> Bool {
        let wanted = Array(name.utf8)
        guard offset + wanted.count <= bytes.count else { return false }
        for (index, byte) in wanted.enumerated() where Self.lower(bytes[offset + index]) != byte { return false }
        guard offset + wanted.count < bytes.count else { return true }
        let next = bytes[offset + wanted.count]
        return next == UInt8(ascii: ">") || next == UInt8(ascii: "/") || next <= 0x20 || next == UInt8(ascii: "=")
    }

    /// The column of attribute `name` in the start tag that begins at `tagOffset`.
    func column(ofAttribute name: String, inTagAt tagOffset: Int) -> Int? {
        var offset = tagOffset + 1
        var quote: UInt8?
        while offset < bytes.count {
            let byte = bytes[offset]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return nil
            } else if bytes[offset - 1] <= 0x20, hasName(name, at: offset) {
                return place(of: offset).column
            }
            offset += 1
        }
        return nil
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte + 32 : byte
    }
}

/// What one parse learns as libxml2 calls back: where each element starts, which ones it had to
/// close itself, and its errors.
final class ParseState {
    let source: SourceText
    var problems: [TemplateProblem] = []
    var document: xmlDocPtr?
    /// Where each element's start tag is (its `<`).
    private var starts: [UnsafeMutableRawPointer: Int] = [:]
    /// Where the parser was at the previous callback: a start tag seen now began after it.
    private var previous = 0
    /// The last end tag already matched to an element, so one `</div>` closes one element.
    private var usedEndTag = -1

    init(source: SourceText) {
        self.source = source
    }

    static func from(_ ctx: UnsafeMutableRawPointer?) -> (htmlParserCtxtPtr, ParseState)? {
        guard let ctx else { return nil }
        let context = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let state = context.pointee._private else { return nil }
        return (context, Unmanaged<ParseState>.fromOpaque(state).takeUnretainedValue())
    }

    /// The byte offset the parser has reached in the template.
    static func offset(_ context: htmlParserCtxtPtr) -> Int {
        guard let input = context.pointee.input, let base = input.pointee.base, let cur = input.pointee.cur else { return 0 }
        return Int(input.pointee.consumed) + (cur - base)
    }

    func position(of node: xmlNodePtr) -> (line: Int, column: Int, offset: Int)? {
        guard let offset = starts[UnsafeMutableRawPointer(node)] else { return nil }
        let place = source.place(of: offset)
        return (place.line, place.column, offset)
    }

    func started(_ name: String, node: xmlNodePtr?, at offset: Int) {
        defer { previous = offset }
        guard let node else { return }
        let lower = name.lowercased()
        // The `<name` nearest before the parser, after the previous callback; none: an implied element.
        var index = min(offset, source.bytes.count - 1)
        while index >= previous {
            if source.bytes[index] == UInt8(ascii: "<"), source.hasName(lower, at: index + 1) {
                starts[UnsafeMutableRawPointer(node)] = index
                return
            }
            index -= 1
        }
    }

    func ended(_ name: String, node: xmlNodePtr?, at offset: Int) {
        defer { previous = offset }
        let lower = name.lowercased()
        guard !HTMLTemplateCheck.voidElements.contains(lower), !HTMLTemplateCheck.optionalEndTags.contains(lower),
            let node, let start = starts[UnsafeMutableRawPointer(node)]
        else { return }
        // An end tag the writer wrote sits right before the parser: `</name` then spaces and `>`.
        var index = min(offset, source.bytes.count) - 1
        if index >= 0, source.bytes[index] == UInt8(ascii: ">") { index -= 1 }
        while index >= 0, source.bytes[index] <= 0x20 { index -= 1 }
        let nameStart = index - lower.utf8.count + 1
        if nameStart >= 2, source.bytes[nameStart - 1] == UInt8(ascii: "/"), source.bytes[nameStart - 2] == UInt8(ascii: "<"),
            source.hasName(lower, at: nameStart), nameStart != usedEndTag
        {
            usedEndTag = nameStart
            return
        }
        let place = source.place(of: start)
        problems.append(TemplateProblem(line: place.line, column: place.column, "<\(lower)> is never closed; add </\(lower)> where it should end"))
    }

    func parserError(_ error: xmlError) {
        // Unknown tags get the allow-list's own reason; a bare & in a link is read as browsers read it.
        let tolerated: Set<Int32> = [
            Int32(XML_HTML_UNKNOWN_TAG.rawValue), Int32(XML_ERR_ENTITYREF_SEMICOL_MISSING.rawValue),
            Int32(XML_ERR_NAME_REQUIRED.rawValue), Int32(XML_ERR_DOCUMENT_EMPTY.rawValue),
        ]
        guard !tolerated.contains(error.code) else { return }
        let message = error.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "the HTML is malformed"
        problems.append(TemplateProblem(line: error.line > 0 ? Int(error.line) : nil, column: error.int2 > 0 ? Int(error.int2) : nil,
            "HTML: \(message)"))
    }
}
