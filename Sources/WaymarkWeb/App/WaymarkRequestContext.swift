import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import WaymarkCore

/// The one request context of the app: who is asking (API key), how the tenant was addressed
/// (slug in the path or a custom domain), and from where.
public struct WaymarkRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by the API key middleware on `/api/v1` routes.
    public var apiIdentity: APIKeyIdentity?
    /// True when the request came in on a tenant's custom domain, so links drop the slug.
    public var onCustomDomain = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { 1 << 20 }

    /// The client's address for throttling; one bucket for everything unidentifiable.
    public var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }

    /// Path prefix for a tenant's shopper links: `/slug`, or nothing on its own domain.
    public func shopperPrefix(slug: String) -> String { onCustomDomain ? "" : "/\(slug)" }
}
