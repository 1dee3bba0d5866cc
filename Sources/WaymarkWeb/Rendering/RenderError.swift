import Mustache

/// A page or message that could not be rendered, naming the template.
///
/// swift-mustache answers a template name it does not know with nil. Passed on as an empty
/// string, that became a blank 200 page or an empty email; as this error it becomes a logged 500
/// (through `ErrorPages`) or a failed delivery.
public struct RenderError: Error, Equatable, CustomStringConvertible {
    /// The template's name as the renderer was asked for it (`shopper/tracking`).
    public let template: String

    public var description: String { "template \(template) is not loaded, so nothing could be rendered" }
}

extension MustacheLibrary {
    /// The text of the template `name` over `tree`; the one way pages and messages render a
    /// template of `Views/`.
    func rendering(_ tree: Any, template name: String) throws(RenderError) -> String {
        guard let text = render(tree, withTemplate: name) else { throw RenderError(template: name) }
        return text
    }
}
