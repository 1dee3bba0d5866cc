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
        for tag in MustacheTag.scan(text) {
            switch tag.sigil ?? " " {
            case "{": throw Refusal(line: tag.line, reason: "triple mustaches {{{...}}} print text unescaped; use {{...}}")
            case "&": throw Refusal(line: tag.line, reason: "{{&...}} prints text unescaped; use {{...}}")
            case "=": throw Refusal(line: tag.line, reason: "changing the delimiters with {{=...=}} is not allowed")
            case "%": throw Refusal(line: tag.line, reason: "pragmas {{%...}} are not allowed")
            case ">": throw Refusal(line: tag.line, reason: "partials {{>...}} are not allowed")
            case "<":
                guard let allowedParent, tag.name == allowedParent else {
                    throw Refusal(line: tag.line, reason: allowedParent.map { "the only template you can extend is {{<\($0)}}" }
                        ?? "this template cannot extend another one")
                }
            default: break
            }
        }
    }
}
