import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WaymarkCore
import WaymarkNotify
import WaymarkSigning

/// `POST /_demo/webhooks`, served only by `waymark serve --demo`: a stand-in for the demo
/// merchant's own systems. The dispatcher delivers the demo tenant's signed webhooks here like
/// anywhere else; this receiver verifies each signature with the endpoint's secret, as a
/// merchant's code would, and logs what arrived, so the demo shows webhooks flowing.
/// (`_` cannot begin a tenant slug, so the path never shadows a tenant.)
struct DemoWebhookReceiver {
    let database: any TenantStore & WebhookEndpointStore
    let tenantSlug: String
    let logger: Logger

    func addRoutes(to router: Router<WaymarkRequestContext>) {
        router.on(.demoWebhooks, .post, use: receive)
    }

    @Sendable func receive(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { request.headers[$0] } }
        guard let tenant = try await database.tenant(slug: tenantSlug),
              let id = header(StandardWebhooks.idHeader), let timestamp = header(StandardWebhooks.timestampHeader).flatMap(Int64.init),
              let signature = header(StandardWebhooks.signatureHeader)
        else { return Response(status: .badRequest) }
        let secrets = try await database.webhookEndpoints(tenantID: tenant.id).flatMap { $0.signingSecrets(at: Date()) }
        let verified = secrets.contains { secret in
            (try? StandardWebhooks(secret: secret).verifySignature(signature, id: id, timestamp: timestamp, body: body)) != nil
        }
        guard verified else {
            logger.warning("demo webhook receiver: signature did not verify", metadata: ["webhook_id": "\(id)"])
            return Response(status: .unauthorized)
        }
        let event = try? JSONDecoder().decode(WebhookEventBody.self, from: Data(body))
        logger.info("demo webhook receiver: verified \(event?.type ?? "event")", metadata: [
            "webhook_id": "\(id)", "tracking_number": "\(event?.data.tracking_number ?? "?")", "status": "\(event?.data.status ?? "?")",
        ])
        return Response(status: .noContent)
    }
}
