import Foundation

/// One `{{…}}` tag of a Mustache text, as far as the checks on templates need it: its sigil and
/// name and the line it starts on. Both the start-up check of `Views/` (does every layout a
/// template extends exist?) and the check of a tenant's template (which tags may it use?) read
/// templates through this one scan.
struct MustacheTag: Equatable {
    /// The first character after `{{` and any spaces (`<`, `>`, `#`, `{`, …, or a name's first letter).
    let sigil: Character?
    /// The text after the sigil up to the first `}`, without surrounding spaces.
    let name: String
    /// 1-based line of the `{{`.
    let line: Int

    /// Every `{{` of `text`, in order. Only the default delimiters are seen: a `{{=…=}}` tag shows
    /// here (sigil `=`), the tags written with the delimiters it sets do not.
    static func scan(_ text: String) -> [MustacheTag] {
        var tags: [MustacheTag] = []
        var rest = text[...]
        var lineNumber = 1
        var counted = text.startIndex
        while let open = rest.range(of: "{{") {
            lineNumber += text[counted..<open.lowerBound].count(where: { $0 == "\n" })
            counted = open.lowerBound
            var tag = rest[open.upperBound...].drop(while: { $0.isWhitespace })
            let sigil = tag.first
            tag = tag.dropFirst()
            let name = tag.prefix(while: { $0 != "}" }).trimmingCharacters(in: .whitespaces)
            tags.append(MustacheTag(sigil: sigil, name: name, line: lineNumber))
            rest = rest[open.upperBound...]
        }
        return tags
    }

    /// The template this tag pulls in: the parent of `{{<name}}` or the partial of `{{>name}}`.
    var includedTemplate: String? {
        sigil == "<" || sigil == ">" ? name : nil
    }
}
