import Foundation

// The storage seam: what Waymark keeps, as the rest of the app sees it. One protocol per
// aggregate, each in its own file beside the values it speaks in; none of them knows how or
// where rows are kept. `AppDatabase` (WaymarkStore, SQLite through GRDB) implements them all.
//
// Every method is `async` (database drivers for a server are async-only), every method that
// touches merchant data takes the tenant id, and every write that can make a message due
// writes it in the same transaction (see `DeliveryStore`). Requirements take `now` explicitly;
// the extensions give the forms without it that callers use, on the system clock.

/// All of Waymark's storage: what the composition root opens and hands out, each consumer
/// keeping only the protocols it needs.
public typealias WaymarkStorage = TenantStore & ShipmentStore & IdempotencyStore & IngestStore & SubscriptionStore & TemplateStore
    & WebhookEndpointStore & DeliveryStore & RegistrationJobStore & MaintenanceStore & AccountStore & AuditStore & APIKeyStore & SupportStore
