import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import WaymarkCore

/// The one request context of the app: who is asking (API key or admin session), how the tenant
/// was addressed (slug in the path or a custom domain), and from where.
public struct WaymarkRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection, asked for the client's address only by the routes that throttle by it.
    let channel: any Channel
    public var remoteAddress: SocketAddress? { channel.remoteAddress }
    /// Set by the API key middleware on `/api/v1` routes.
    public var apiIdentity: APIKeyIdentity?
    /// True when the request came in on a tenant's custom domain, so links drop the slug.
    public var onCustomDomain = false
    /// Set by the admin middleware under `/admin` for a signed-in person.
    public var adminSession: AdminSession?
    /// The admin's language for this request.
    public var adminLanguage = "en"
    /// A posted admin form whose CSRF field the admin middleware checked.
    var adminForm: AdminForm?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { 1 << 20 }

    /// The client's address for throttling; one bucket for everything unidentifiable.
    public var clientKey: String { remoteAddress?.ipAddress ?? "unknown" }

    /// Path prefix for a tenant's shopper links: `/slug`, or nothing on its own domain.
    public func shopperPrefix(slug: String) -> String { onCustomDomain ? "" : "/\(slug)" }
}
