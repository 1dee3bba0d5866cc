import HTTPTypes
import Hummingbird
import WaymarkCore

/// Operator endpoints.
struct OpsController {
    let database: any TenantStore

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.healthz, .get) { _, _ -> Response in
            // Liveness with a real read: a server that can't read its database is not alive.
            _ = try await database.tenant(id: 0)
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
    }
}
