import Foundation
import Mustache
import WaymarkCore

/// The rules a tenant's own message template must pass before it is saved. Every value must go
/// through Mustache's escaping, and a template may reach no other template than the email
/// layout, so a merchant's wording can't print raw HTML from a checkpoint message or pull in
/// files from the server. (Whether the HTML itself is well formed is for the admin screens'
/// libxml2 check, not this one.)
public enum MessageTemplateCheck {
    /// 100 KB, as the `message_template` table allows.
    public static let maximumBytes = 100_000

    /// Why a template was refused, naming the line to fix.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let line: Int?
        public let reason: String

        public var description: String {
            line.map { "line \($0): \(reason)" } ?? reason
        }
    }

    /// Checks a body (`subject: false`) or an email subject (`subject: true`) for `channel`.
    public static func check(_ text: String, channel: NotificationChannel, subject: Bool = false) throws(Refusal) {
        guard channel == .email || channel == .sms else { throw Refusal(line: nil, reason: "templates are for email or sms, not \(channel.rawValue)") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw Refusal(line: nil, reason: "the template is empty") }
        guard text.utf8.count <= maximumBytes else {
            throw Refusal(line: nil, reason: "the template is \(text.utf8.count) bytes; at most \(maximumBytes) are allowed")
        }
        let layout = (channel == .email && !subject) ? "emails.layout" : nil
        try checkTags(in: text, allowedParent: layout)
        do {
            _ = try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            throw Refusal(line: error.context.lineNumber, reason: "not valid Mustache (\(error.error))")
        } catch {
            throw Refusal(line: nil, reason: "not valid Mustache (\(error))")
        }
    }

    /// Looks at every `{{` tag's sigil. Set-delimiter tags are refused, so `{{` is the only way
    /// a tag can start and this scan sees them all (also a tag broken over lines).
    private static func checkTags(in text: String, allowedParent: String?) throws(Refusal) {
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
            switch sigil ?? " " {
            case "{": throw Refusal(line: lineNumber, reason: "triple mustaches {{{...}}} print text unescaped; use {{...}}")
            case "&": throw Refusal(line: lineNumber, reason: "{{&...}} prints text unescaped; use {{...}}")
            case "=": throw Refusal(line: lineNumber, reason: "changing the delimiters with {{=...=}} is not allowed")
            case "%": throw Refusal(line: lineNumber, reason: "pragmas {{%...}} are not allowed")
            case ">": throw Refusal(line: lineNumber, reason: "partials {{>...}} are not allowed")
            case "<":
                guard let allowedParent, name == allowedParent else {
                    throw Refusal(line: lineNumber, reason: allowedParent.map { "the only template you can extend is {{<\($0)}}" }
                        ?? "this template cannot extend another one")
                }
            default: break
            }
            rest = rest[open.upperBound...]
        }
    }
}
