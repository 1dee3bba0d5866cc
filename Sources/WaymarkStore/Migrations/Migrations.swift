import GRDB

/// The schema, as append-only migrations of plain SQL. A landed migration is never edited:
/// a change is a new entry at the end.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(sql: v1Foundation)
        }
        migrator.registerMigration("v2-ingest") { db in
            try db.execute(sql: v2Ingest)
        }
        return migrator
    }

    static let v1Foundation = """
        CREATE TABLE tenant (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 2 AND 40 AND slug = lower(slug)),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
            branding TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(branding)),
            default_locale TEXT NOT NULL DEFAULT 'en',
            time_zone TEXT NOT NULL DEFAULT 'UTC',
            custom_domain TEXT UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE user (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE membership (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, user_id)
        ) STRICT;
        CREATE INDEX membership_user ON membership(user_id);

        CREATE TABLE api_key (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL,
            secret_sha256 TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        ) STRICT;
        CREATE INDEX api_key_tenant ON api_key(tenant_id);

        CREATE TABLE shipment (
            id TEXT PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            tracking_number TEXT NOT NULL CHECK (length(tracking_number) BETWEEN 1 AND 64),
            carrier TEXT NOT NULL,
            order_number TEXT,
            customer_name TEXT,
            customer_email TEXT,
            customer_phone TEXT,
            customer_locale TEXT,
            destination_city TEXT,
            destination_region TEXT,
            destination_postal_code TEXT,
            destination_postal_key TEXT,
            destination_country TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'info_received', 'in_transit', 'out_for_delivery',
                'available_for_pickup', 'attempt_fail', 'delivered', 'exception', 'expired')),
            substatus TEXT,
            eta TEXT,
            delivered_at TEXT,
            last_event_at TEXT,
            token TEXT NOT NULL UNIQUE CHECK (length(token) >= 22),
            metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (tenant_id, carrier, tracking_number)
        ) STRICT;
        CREATE INDEX shipment_tenant_order ON shipment(tenant_id, order_number);
        CREATE INDEX shipment_tenant_tracking ON shipment(tenant_id, tracking_number);
        CREATE INDEX shipment_tenant_created ON shipment(tenant_id, created_at);

        CREATE TABLE checkpoint (
            id INTEGER PRIMARY KEY,
            shipment_id TEXT NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
            occurred_at TEXT NOT NULL,
            utc_offset_seconds INTEGER CHECK (utc_offset_seconds BETWEEN -64800 AND 64800),
            status TEXT NOT NULL,
            substatus TEXT,
            message TEXT NOT NULL,
            city TEXT,
            region TEXT,
            country TEXT,
            source TEXT NOT NULL,
            raw_code TEXT,
            fingerprint TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (shipment_id, fingerprint)
        ) STRICT;
        CREATE INDEX checkpoint_shipment_time ON checkpoint(shipment_id, occurred_at);

        CREATE TABLE subscription (
            id INTEGER PRIMARY KEY,
            shipment_id TEXT NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            address TEXT NOT NULL,
            created_at TEXT NOT NULL,
            unsubscribed_at TEXT,
            UNIQUE (shipment_id, channel, address)
        ) STRICT;
        """

    /// Provider credentials, inbound payloads kept for replay, API idempotency, the durable
    /// registration queue, tenant ingest settings and shipment archiving.
    static let v2Ingest = """
        ALTER TABLE tenant ADD COLUMN auto_create_shipments INTEGER NOT NULL DEFAULT 1 CHECK (auto_create_shipments IN (0, 1));
        ALTER TABLE tenant ADD COLUMN delivered_retention_days INTEGER NOT NULL DEFAULT 90 CHECK (delivered_retention_days BETWEEN 1 AND 3650);
        ALTER TABLE tenant ADD COLUMN stalled_after_days INTEGER NOT NULL DEFAULT 3 CHECK (stalled_after_days BETWEEN 1 AND 60);

        ALTER TABLE shipment ADD COLUMN archived_at TEXT;
        ALTER TABLE shipment ADD COLUMN registration_error TEXT;
        CREATE INDEX shipment_tenant_status ON shipment(tenant_id, status);

        -- One row per tenant and tracking provider. The secret verifies inbound signatures (so it
        -- is kept, not hashed); the API key registers numbers at the provider.
        CREATE TABLE provider_account (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('track123', 'aftership', '17track', 'easypost', 'shippo', 'waymark')),
            secret TEXT,
            api_key TEXT,
            register INTEGER NOT NULL DEFAULT 0 CHECK (register IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, provider)
        ) STRICT;

        -- Every accepted inbound webhook, verbatim, for debugging and replay; purged after 30 days.
        -- event_key is the provider's event id, or the SHA-256 of the body when it sends none.
        CREATE TABLE inbound_event (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            provider TEXT NOT NULL,
            event_key TEXT NOT NULL,
            body BLOB NOT NULL,
            received_at TEXT NOT NULL,
            processed_at TEXT,
            outcome TEXT,
            UNIQUE (tenant_id, provider, event_key)
        ) STRICT;
        CREATE INDEX inbound_event_received ON inbound_event(received_at);

        -- API Idempotency-Key: the first response is replayed for the same key and body.
        CREATE TABLE idempotency_key (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            request_sha256 TEXT NOT NULL,
            response_status INTEGER NOT NULL,
            response_body BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, key)
        ) STRICT;

        -- Numbers waiting to be registered at a tracking provider, retried with backoff.
        CREATE TABLE registration_job (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            shipment_id TEXT NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
            provider TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (shipment_id, provider)
        ) STRICT;
        CREATE INDEX registration_job_due ON registration_job(state, next_attempt_at);
        """
}
