import WaymarkProviders

/// Where the API gets a new endpoint's signing secret (`whsec_` + 32 random bytes in base64).
/// The one place that names the signer's module, so moving `StandardWebhooks` is a one-line change.
enum WebhookSecret {
    static func generate() -> String { StandardWebhooks.generateSecret() }
}
