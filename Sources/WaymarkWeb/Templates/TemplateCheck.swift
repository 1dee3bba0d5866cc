import Foundation
import Mustache
import WaymarkCore

/// The one rule every door applies before a merchant's template is saved (the admin's editor,
/// `waymark template set`, any API): Mustache that only prints escaped, allow-listed fields, and
/// for HTML kinds markup that libxml2 reads as well formed and that holds nothing that runs,
/// embeds or loads from elsewhere (`HTMLTemplateCheck`). `TemplateSamples` adds the last check,
/// rendering it for every status within the time limit.
public enum TemplateCheck {
    /// Every problem with `text` as a template of `kind`; empty when it may be saved.
    public static func problems(in text: String, kind: TemplateKind) -> [TemplateProblem] {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return [TemplateProblem(line: nil, "the template is empty; reset it to go back to the default")]
        }
        guard text.utf8.count <= TemplateKind.maximumBytes else {
            return [TemplateProblem(line: nil, "the template is \(text.utf8.count) bytes; at most \(TemplateKind.maximumBytes) are allowed")]
        }
        if kind == .emailSubject, text.contains(where: \.isNewline) {
            return [TemplateProblem(line: 2, "a subject is one line")]
        }
        var problems = tagProblems(in: text, kind: kind)
        if problems.isEmpty {
            do {
                _ = try MustacheTemplate(string: text)
            } catch let error as MustacheTemplate.ParserError {
                problems.append(TemplateProblem(line: error.context.lineNumber, column: error.context.columnNumber,
                    "not valid Mustache (\(error.error))"))
            } catch {
                problems.append(TemplateProblem(line: nil, "not valid Mustache (\(error))"))
            }
        }
        if kind.isHTML {
            let vocabulary = kind.vocabulary
            let html = HTMLTemplateCheck(urlVariables: vocabulary.links, styleVariables: vocabulary.colours, wholeDocument: kind == .emailHTML)
            problems += html.problems(in: text)
        }
        return problems.sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
    }

    /// Every problem with each text of `candidate`, each marked with the field it is in.
    public static func problems(in candidate: TemplateCandidate) -> [TemplateProblem] {
        candidate.parts.flatMap { kind, text in
            problems(in: text, kind: kind).map { problem in
                var marked = problem
                marked.field = switch kind {
                case .emailSubject: "subject"
                case .emailText: "text"
                default: nil
                }
                return marked
            }
        }
    }

    /// Throws the problems with `text`, if any.
    public static func check(_ text: String, kind: TemplateKind) throws(TemplateRefusal) {
        let found = problems(in: text, kind: kind)
        guard found.isEmpty else { throw TemplateRefusal(problems: found) }
    }

    /// Looks at every `{{` tag. Set-delimiter tags are refused, so `{{` is the only way a tag can
    /// start and this scan sees them all (also a tag broken over lines).
    static func tagProblems(in text: String, kind: TemplateKind) -> [TemplateProblem] {
        let vocabulary = kind.vocabulary
        var problems: [TemplateProblem] = []
        var open: [String] = []
        var extended: String?
        for tag in MustacheTag.scan(text) {
            func refuse(_ reason: String) { problems.append(TemplateProblem(line: tag.line, reason)) }
            switch tag.sigil ?? " " {
            case "{": refuse("triple mustaches {{{…}}} print text unescaped; use {{…}}")
            case "&": refuse("{{&…}} prints text unescaped; use {{…}}")
            case "=": refuse("changing the delimiters with {{=…=}} is not allowed")
            case "%": refuse("pragmas {{%…}} are not allowed")
            case ">": refuse("partials {{>…}} are not allowed")
            case "!": break
            case "<":
                if let layout = kind.layout, tag.name == layout.name { extended = layout.name } else {
                    refuse(kind.layout.map { "the only template you can extend is {{<\($0.name)}}" } ?? "this template cannot extend another one")
                }
            case "$":
                if extended == nil || !(kind.layout?.blocks.contains(tag.name) ?? false) {
                    let blocks = kind.layout.map { $0.blocks.sorted().map { "{{$\($0)}}" }.joined(separator: ", ") }
                    refuse(blocks.map { "{{$\(tag.name)}} is not a block of the layout; inside {{<\(kind.layout?.name ?? "")}} use \($0)" }
                        ?? "{{$\(tag.name)}} fills a layout's block, and this template has no layout")
                }
                open.append("$")
            case "#", "^":
                if !vocabulary.allows(tag.name, inside: open.filter { $0 != "$" }) { refuse(unknown(tag.name, vocabulary)) }
                open.append(tag.name)
            case "/":
                if let last = open.last, last == tag.name || last == "$" { open.removeLast() } else if tag.name == extended { extended = nil }
            default:
                let name = String(tag.sigil.map(String.init) ?? "") + tag.name
                if !vocabulary.allows(name, inside: open.filter { $0 != "$" }) { refuse(unknown(name, vocabulary)) }
            }
        }
        return problems
    }

    private static func unknown(_ name: String, _ vocabulary: TemplateVocabulary) -> String {
        "{{\(name)}} is not a field this template can use; the fields are \(vocabulary.listed)"
    }
}

/// A template that may not be saved, with every reason.
public struct TemplateRefusal: Error, Equatable, CustomStringConvertible {
    public let problems: [TemplateProblem]

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    /// The first problem's line, for callers that point at one place.
    public var line: Int? { problems.first?.line }
}
