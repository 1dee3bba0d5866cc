/// The model of the tracking page's "get updates by email or text" form: its strings, what the
/// shopper typed (echoed back on a mistake), and the thank-you or the problem to show.
struct SubscribeFormView: Encodable {
    let actionURL: String
    let heading: String
    let intro: String
    let emailLabel: String
    let phoneLabel: String
    let phoneHint: String
    let submit: String
    var email = ""
    var phone = ""
    /// Shown after a subscription, the same whether or not the address was already subscribed.
    var confirmation: String?
    /// What is wrong with the input, naming the field.
    var error: String?
    var emailInvalid = false
    var phoneInvalid = false

    static func make(catalog: Catalog, language: String, actionURL: String) -> SubscribeFormView {
        SubscribeFormView(
            actionURL: actionURL,
            heading: catalog.text("subscribe.heading", language),
            intro: catalog.text("subscribe.intro", language),
            emailLabel: catalog.text("subscribe.email_label", language),
            phoneLabel: catalog.text("subscribe.phone_label", language),
            phoneHint: catalog.text("subscribe.phone_hint", language),
            submit: catalog.text("subscribe.submit", language))
    }
}

/// The subscribe form's fields, as posted (`application/x-www-form-urlencoded`).
struct SubscribeForm: Decodable, Sendable {
    var email: String?
    var phone: String?
}
