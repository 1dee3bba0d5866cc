/// Signatures and secret comparison shared by inbound provider webhooks (WaymarkProviders) and
/// outbound merchant webhooks (WaymarkNotify): HMAC and SHA-256 digests in the encodings providers
/// use, constant-time comparison, and the Standard Webhooks scheme. Neither side depends on the
/// other for them.
public enum WaymarkSigning {}
