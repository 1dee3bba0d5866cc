/// Outbound notifications: channels (merchant webhooks, SMTP email, SMS), the SSRF guard for
/// merchant-supplied URLs, and the dispatcher that drains the outbox.
public enum WaymarkNotify {}
