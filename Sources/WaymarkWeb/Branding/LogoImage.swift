import CLibXML2
import Foundation

/// A merchant's logo as uploaded: PNG, JPEG, WebP or SVG, told apart by its bytes (never by its
/// file name or the browser's word), at most 512 KB. An SVG is kept only if libxml2 parses it and
/// it holds nothing that runs or loads: no script, event handler, `foreignObject`, reference
/// outside the file (`href` other than `#id`, `url()` other than `url(#id)`, stylesheet
/// instructions) and no DOCTYPE (entities). It is served as it was sent, with its own content
/// type, `nosniff`, and a policy that forbids scripts if it is opened on its own.
public struct LogoImage: Sendable, Equatable {
    public let contentType: String
    public let bytes: [UInt8]

    public static let maximumBytes = 512 * 1024

    /// Why an upload is not kept, in words for the merchant.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public var fileExtension: String {
        switch contentType {
        case "image/png": "png"
        case "image/jpeg": "jpg"
        case "image/webp": "webp"
        default: "svg"
        }
    }

    public init(checking bytes: [UInt8]) throws(Refusal) {
        guard !bytes.isEmpty else { throw Refusal(description: "the file is empty") }
        guard bytes.count <= Self.maximumBytes else {
            throw Refusal(description: "the file is \(bytes.count / 1024) KB; a logo may have at most \(Self.maximumBytes / 1024) KB")
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            contentType = "image/png"
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            contentType = "image/jpeg"
        } else if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            contentType = "image/webp"
        } else if Self.looksLikeXML(bytes) {
            try SVGCheck.check(bytes)
            contentType = "image/svg+xml"
        } else {
            throw Refusal(description: "the file is not a PNG, JPEG, WebP or SVG image (whatever its name says)")
        }
        self.bytes = bytes
    }

    /// Text that starts, after a byte-order mark and spaces, with `<`.
    private static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        return rest.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }).first == UInt8(ascii: "<")
    }
}

/// The SVG half of `LogoImage`: libxml2's XML parser (no network, no entity substitution) and a
/// walk of every element and attribute.
enum SVGCheck {
    static let refusedElements: Set<String> = ["script", "foreignObject", "iframe", "embed", "object", "handler", "listener", "audio", "video"]

    static func check(_ bytes: [UInt8]) throws(LogoImage.Refusal) {
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { xmlReadMemory($0, Int32(buffer.count), nil, nil, options) }
            }
        }
        guard let document else { throw LogoImage.Refusal(description: "the SVG is not well-formed XML") }
        defer { xmlFreeDoc(document) }
        if document.pointee.intSubset != nil {
            throw LogoImage.Refusal(description: "the SVG has a DOCTYPE, which can declare entities; remove it")
        }
        guard let root = xmlDocGetRootElement(document), name(root) == "svg" else {
            throw LogoImage.Refusal(description: "the file is XML but not an SVG image")
        }
        var top = document.pointee.children
        while let node = top {
            if node.pointee.type == XML_PI_NODE { throw LogoImage.Refusal(description: "the SVG holds a processing instruction (<?…?>), which can load a stylesheet") }
            top = node.pointee.next
        }
        if let problem = firstProblem(in: root) { throw LogoImage.Refusal(description: problem) }
    }

    private static func firstProblem(in start: xmlNodePtr) -> String? {
        var stack: [xmlNodePtr] = [start]
        while let node = stack.popLast() {
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                let element = name(node)
                if refusedElements.contains(element) { return "the SVG holds <\(element)>, which can run script or embed other content" }
                let text = element == "style" ? HTMLTemplateCheck.content(node) : ""
                if element == "style", !onlyInternalURLs(text) || text.lowercased().contains("@import") {
                    return "the SVG's <style> loads something from outside the file"
                }
                var attribute = node.pointee.properties
                while let current = attribute {
                    attribute = current.pointee.next
                    let attributeName = current.pointee.name.map { String(cString: $0) } ?? ""
                    let value = HTMLTemplateCheck.value(of: current, in: node)
                    let lowered = attributeName.lowercased()
                    if lowered.hasPrefix("on") { return "the SVG has an event handler (\(attributeName)), which runs script" }
                    if lowered == "href" || lowered == "src", !value.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                        return "the SVG refers to something outside the file (\(attributeName)=\"\(value.prefix(60))\")"
                    }
                    if lowered == "attributename", value.lowercased().hasSuffix("href") {
                        return "the SVG animates a link (<\(element) attributeName=\"\(value)\">), which can turn it into script"
                    }
                    if !onlyInternalURLs(value) { return "the SVG refers to something outside the file (url() in \(attributeName))" }
                }
            case XML_PI_NODE:
                return "the SVG holds a processing instruction (<?…?>), which can load a stylesheet"
            case XML_ENTITY_REF_NODE:
                return "the SVG uses an entity reference; write the text out"
            default:
                break
            }
            var child = node.pointee.children
            while let current = child {
                stack.append(current)
                child = current.pointee.next
            }
        }
        return nil
    }

    /// Every `url(…)` in `text` points inside the file (`url(#id)`).
    private static func onlyInternalURLs(_ text: String) -> Bool {
        CSSCheck.urlTargets(in: CSSCheck.unescaped(text).lowercased()).allSatisfy { $0.hasPrefix("#") }
    }

    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }
}
