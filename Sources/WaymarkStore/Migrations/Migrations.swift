import GRDB

/// The schema, as append-only migrations of plain SQL. A landed migration is never edited:
/// a change is a new entry at the end.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, sql) in all {
            migrator.registerMigration(identifier) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    /// Every migration in order, by the identifier GRDB records once it has run. `v6-enum-checks`
    /// rebuilds tables: GRDB runs a migration with foreign keys off and checks them all before it
    /// commits (SQLite's documented procedure), so dropping the old tables neither cascades nor
    /// orphans anything, and a broken reference fails the migration instead of landing.
    static let all: [(identifier: String, sql: String)] = [
        ("v1-foundation", v1Foundation),
        ("v2-ingest", v2Ingest),
        ("v3-notify", v3Notify),
        ("v4-sweeps", v4Sweeps),
        ("v5-delivery-leases", v5DeliveryLeases),
        ("v6-enum-checks", v6EnumChecks),
        ("v7-registration-leases", v7RegistrationLeases),
        ("v8-admin", v8Admin),
        ("v9-template-editor", v9TemplateEditor),
        ("v10-providers-domains-links", v10ProvidersDomainsLinks),
    ]

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

    /// The transactional outbox and what it needs: merchant webhook endpoints, the attempts log,
    /// the suppression list, tenant message templates and sending settings, and unsubscribe tokens.
    static let v3Notify = """
        -- Sending settings. notification_rules holds only what the tenant changed from the defaults;
        -- quiet hours are local hours in the tenant's time zone (start = end: none).
        ALTER TABLE tenant ADD COLUMN notification_rules TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(notification_rules));
        ALTER TABLE tenant ADD COLUMN subscribe_contacts INTEGER NOT NULL DEFAULT 1 CHECK (subscribe_contacts IN (0, 1));
        ALTER TABLE tenant ADD COLUMN sender_name TEXT;
        ALTER TABLE tenant ADD COLUMN sender_email TEXT;
        ALTER TABLE tenant ADD COLUMN reply_to TEXT;
        ALTER TABLE tenant ADD COLUMN sms_from TEXT;
        ALTER TABLE tenant ADD COLUMN quiet_hours_start INTEGER NOT NULL DEFAULT 21 CHECK (quiet_hours_start BETWEEN 0 AND 23);
        ALTER TABLE tenant ADD COLUMN quiet_hours_end INTEGER NOT NULL DEFAULT 8 CHECK (quiet_hours_end BETWEEN 0 AND 23);

        -- The link in every message's unsubscribe header and footer.
        ALTER TABLE subscription ADD COLUMN unsubscribe_token TEXT;
        UPDATE subscription SET unsubscribe_token = lower(hex(randomblob(18)));
        CREATE UNIQUE INDEX subscription_unsubscribe_token ON subscription(unsubscribe_token);

        CREATE TABLE webhook_endpoint (
            id TEXT PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            url TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
            event_types TEXT NOT NULL CHECK (json_valid(event_types) AND json_array_length(event_types) > 0),
            statuses TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(statuses)),
            description TEXT,
            secret TEXT NOT NULL CHECK (secret LIKE 'whsec_%'),
            previous_secret TEXT,
            previous_secret_expires_at TEXT,
            failing_since TEXT,
            disabled_at TEXT,
            disabled_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX webhook_endpoint_tenant ON webhook_endpoint(tenant_id);

        -- The outbox. A row is written in the same transaction as the change that causes it, and
        -- there is one per shipment, channel, recipient and trigger, so a trigger never sends twice.
        CREATE TABLE delivery (
            id TEXT PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            shipment_id TEXT REFERENCES shipment(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
            recipient TEXT NOT NULL,
            endpoint_id TEXT REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
            trigger_key TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            delivered_at TEXT,
            CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL))
        ) STRICT;
        CREATE UNIQUE INDEX delivery_once ON delivery(shipment_id, channel, recipient, trigger_key);
        CREATE INDEX delivery_due ON delivery(state, next_attempt_at);
        CREATE INDEX delivery_tenant ON delivery(tenant_id, created_at);
        CREATE INDEX delivery_endpoint ON delivery(endpoint_id, created_at);

        -- Every attempt at a delivery, for the merchant and the operator.
        CREATE TABLE delivery_attempt (
            id INTEGER PRIMARY KEY,
            delivery_id TEXT NOT NULL REFERENCES delivery(id) ON DELETE CASCADE,
            attempted_at TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
            http_status INTEGER,
            reply TEXT,
            latency_ms INTEGER NOT NULL,
            error TEXT
        ) STRICT;
        CREATE INDEX delivery_attempt_delivery ON delivery_attempt(delivery_id, attempted_at);

        -- Addresses a tenant must not message: hard bounces, SMS STOP, "unsubscribe from all".
        CREATE TABLE suppression (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            address TEXT NOT NULL COLLATE NOCASE,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, channel, address)
        ) STRICT;

        -- A tenant's own wording for a message; the shipped defaults in Views/ apply otherwise.
        CREATE TABLE message_template (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            name TEXT NOT NULL,
            locale TEXT NOT NULL,
            subject TEXT,
            body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, channel, name, locale)
        ) STRICT;
        """

    /// The background sweeps (stalled shipments every minute, expiry and archiving every hour)
    /// read only the shipments they can act on, through partial indexes, so their cost follows
    /// the work to do rather than the size of the file.
    static let v4Sweeps = """
        -- The quiet spell (its last_event_at) the stalled check last decided for, whether or not
        -- anyone was told: a shipment nobody listens to is looked at once per spell, not every minute.
        ALTER TABLE shipment ADD COLUMN stalled_checked_for TEXT;
        CREATE INDEX shipment_stall_candidates ON shipment(last_event_at)
            WHERE status IN ('info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup', 'attempt_fail')
              AND archived_at IS NULL AND stalled_checked_for IS NOT last_event_at;
        CREATE INDEX shipment_pending_unarchived ON shipment(created_at) WHERE status = 'pending' AND archived_at IS NULL;
        CREATE INDEX shipment_delivered_unarchived ON shipment(delivered_at) WHERE status = 'delivered' AND archived_at IS NULL;
        """

    /// A delivery being sent belongs to one dispatcher (its node id) until its lease ends:
    /// several processes can share the outbox, a restarted node takes back its own rows at once,
    /// and another node takes over a dead node's rows when their lease runs out.
    static let v5DeliveryLeases = """
        ALTER TABLE delivery ADD COLUMN lease_owner TEXT;
        ALTER TABLE delivery ADD COLUMN lease_expires_at TEXT;
        CREATE INDEX delivery_leases ON delivery(lease_expires_at) WHERE state = 'sending';
        """

    /// CHECK constraints for the enum-like columns that had none, so a bug (or a hand edit) cannot
    /// store a status, provider, event type or template name that Waymark would have to misread:
    /// `checkpoint.status` (the nine statuses, as `shipment.status` has), `registration_job.provider`
    /// (the providers numbers can be registered at), `inbound_event.provider` (the six webhook
    /// sources), `delivery.event_type` (the five webhook event types) and `message_template.name`
    /// (the messages a tenant can reword).
    ///
    /// SQLite cannot add a CHECK to a table, so each table is rebuilt the documented way: a new
    /// table with the constraint, every row copied with its rowid, the old table dropped, the new
    /// one renamed, and its indexes created again exactly as before (none of these tables has a
    /// trigger or a view). A row that breaks a new constraint fails the migration, and nothing
    /// changes. Every other column is declared as it was.
    static let v6EnumChecks = """
        CREATE TABLE checkpoint_new (
            id INTEGER PRIMARY KEY,
            shipment_id TEXT NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
            occurred_at TEXT NOT NULL,
            utc_offset_seconds INTEGER CHECK (utc_offset_seconds BETWEEN -64800 AND 64800),
            status TEXT NOT NULL CHECK (status IN ('pending', 'info_received', 'in_transit', 'out_for_delivery',
                'available_for_pickup', 'attempt_fail', 'delivered', 'exception', 'expired')),
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
        INSERT INTO checkpoint_new (id, shipment_id, occurred_at, utc_offset_seconds, status, substatus, message, city, region,
            country, source, raw_code, fingerprint, recorded_at)
        SELECT id, shipment_id, occurred_at, utc_offset_seconds, status, substatus, message, city, region,
            country, source, raw_code, fingerprint, recorded_at FROM checkpoint;
        DROP TABLE checkpoint;
        ALTER TABLE checkpoint_new RENAME TO checkpoint;
        CREATE INDEX checkpoint_shipment_time ON checkpoint(shipment_id, occurred_at);

        CREATE TABLE registration_job_new (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            shipment_id TEXT NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('track123', 'aftership', '17track', 'easypost', 'shippo')),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (shipment_id, provider)
        ) STRICT;
        INSERT INTO registration_job_new (id, tenant_id, shipment_id, provider, state, attempts, next_attempt_at, last_error,
            created_at, updated_at)
        SELECT id, tenant_id, shipment_id, provider, state, attempts, next_attempt_at, last_error,
            created_at, updated_at FROM registration_job;
        DROP TABLE registration_job;
        ALTER TABLE registration_job_new RENAME TO registration_job;
        CREATE INDEX registration_job_due ON registration_job(state, next_attempt_at);

        CREATE TABLE inbound_event_new (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('track123', 'aftership', '17track', 'easypost', 'shippo', 'waymark')),
            event_key TEXT NOT NULL,
            body BLOB NOT NULL,
            received_at TEXT NOT NULL,
            processed_at TEXT,
            outcome TEXT,
            UNIQUE (tenant_id, provider, event_key)
        ) STRICT;
        INSERT INTO inbound_event_new (id, tenant_id, provider, event_key, body, received_at, processed_at, outcome)
        SELECT id, tenant_id, provider, event_key, body, received_at, processed_at, outcome FROM inbound_event;
        DROP TABLE inbound_event;
        ALTER TABLE inbound_event_new RENAME TO inbound_event;
        CREATE INDEX inbound_event_received ON inbound_event(received_at);

        CREATE TABLE delivery_new (
            id TEXT PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            shipment_id TEXT REFERENCES shipment(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
            recipient TEXT NOT NULL,
            endpoint_id TEXT REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
            trigger_key TEXT NOT NULL,
            event_type TEXT NOT NULL CHECK (event_type IN ('shipment.created', 'shipment.status_changed', 'shipment.checkpoint_added',
                'shipment.stalled', 'shipment.eta_changed')),
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            delivered_at TEXT,
            lease_owner TEXT,
            lease_expires_at TEXT,
            CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL))
        ) STRICT;
        INSERT INTO delivery_new (id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
            state, attempts, next_attempt_at, last_error, created_at, updated_at, delivered_at, lease_owner, lease_expires_at)
        SELECT id, tenant_id, shipment_id, channel, recipient, endpoint_id, trigger_key, event_type, payload,
            state, attempts, next_attempt_at, last_error, created_at, updated_at, delivered_at, lease_owner, lease_expires_at FROM delivery;
        DROP TABLE delivery;
        ALTER TABLE delivery_new RENAME TO delivery;
        CREATE UNIQUE INDEX delivery_once ON delivery(shipment_id, channel, recipient, trigger_key);
        CREATE INDEX delivery_due ON delivery(state, next_attempt_at);
        CREATE INDEX delivery_tenant ON delivery(tenant_id, created_at);
        CREATE INDEX delivery_endpoint ON delivery(endpoint_id, created_at);
        CREATE INDEX delivery_leases ON delivery(lease_expires_at) WHERE state = 'sending';

        CREATE TABLE message_template_new (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            name TEXT NOT NULL CHECK (name IN ('pending', 'info_received', 'in_transit', 'out_for_delivery', 'available_for_pickup',
                'attempt_fail', 'delivered', 'exception', 'expired', 'stalled', 'eta_changed', 'generic')),
            locale TEXT NOT NULL,
            subject TEXT,
            body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, channel, name, locale)
        ) STRICT;
        INSERT INTO message_template_new (tenant_id, channel, name, locale, subject, body, updated_at)
        SELECT tenant_id, channel, name, locale, subject, body, updated_at FROM message_template;
        DROP TABLE message_template;
        ALTER TABLE message_template_new RENAME TO message_template;
        """


    /// A claimed registration job names its worker's node, as a claimed delivery does: a
    /// restarted node takes its own jobs back at once instead of waiting out their lease.
    static let v7RegistrationLeases = """
        ALTER TABLE registration_job ADD COLUMN lease_owner TEXT;
        CREATE INDEX registration_job_leases ON registration_job(lease_owner) WHERE lease_owner IS NOT NULL;
        """

    /// The merchant admin: sessions kept server-side (by the SHA-256 of the cookie's secret),
    /// single-use password-reset and invitation links (by their SHA-256), the audit log, API key
    /// scopes and last use, and page views counted per shipment and per day (no cookie, no address).
    static let v8Admin = """
        CREATE TABLE admin_session (
            id INTEGER PRIMARY KEY,
            secret_sha256 TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL CHECK (length(csrf_token) >= 22),
            address TEXT,
            user_agent TEXT,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            ended_at TEXT
        ) STRICT;
        CREATE INDEX admin_session_user ON admin_session(user_id, created_at);

        CREATE TABLE password_reset (
            secret_sha256 TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        ) STRICT;
        CREATE INDEX password_reset_user ON password_reset(user_id);

        CREATE TABLE invitation (
            id INTEGER PRIMARY KEY,
            secret_sha256 TEXT NOT NULL UNIQUE,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            email TEXT NOT NULL COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
            invited_by INTEGER REFERENCES user(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            accepted_at TEXT,
            revoked_at TEXT
        ) STRICT;
        CREATE INDEX invitation_tenant ON invitation(tenant_id, created_at);

        CREATE TABLE audit_entry (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT,
            address TEXT,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX audit_entry_tenant ON audit_entry(tenant_id, created_at);
        CREATE INDEX audit_entry_created ON audit_entry(created_at);

        ALTER TABLE api_key ADD COLUMN scope TEXT NOT NULL DEFAULT 'read_write' CHECK (scope IN ('read_only', 'read_write'));
        ALTER TABLE api_key ADD COLUMN last_used_at TEXT;

        CREATE TABLE shipment_view (
            shipment_id TEXT PRIMARY KEY REFERENCES shipment(id) ON DELETE CASCADE,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            views INTEGER NOT NULL CHECK (views >= 0),
            message_views INTEGER NOT NULL CHECK (message_views >= 0),
            first_viewed_at TEXT NOT NULL,
            last_viewed_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE page_view_day (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            views INTEGER NOT NULL CHECK (views >= 0),
            message_views INTEGER NOT NULL CHECK (message_views >= 0),
            PRIMARY KEY (tenant_id, day)
        ) STRICT;

        CREATE INDEX shipment_tenant_email ON shipment(tenant_id, lower(customer_email));
        CREATE INDEX shipment_tenant_phone ON shipment(tenant_id, customer_phone);
        """

    /// The template editor and notification settings: a merchant's own sections of the tracking
    /// page, an email's own text part, every saved version of every template (who, when), for
    /// history and rollback, and whether shoppers may subscribe themselves on the page.
    /// `tenant.pages_version` counts section changes, so a cached page built before one is never
    /// served after it.
    static let v9TemplateEditor = """
        ALTER TABLE message_template ADD COLUMN text_body TEXT CHECK (text_body IS NULL OR length(CAST(text_body AS BLOB)) BETWEEN 1 AND 65536);
        ALTER TABLE tenant ADD COLUMN pages_version INTEGER NOT NULL DEFAULT 0 CHECK (pages_version >= 0);
        -- Whether the tracking page offers shoppers the "get updates" form.
        ALTER TABLE tenant ADD COLUMN self_subscription INTEGER NOT NULL DEFAULT 1 CHECK (self_subscription IN (0, 1));

        CREATE TABLE page_section (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            section TEXT NOT NULL CHECK (section IN ('header', 'banner', 'after_delivery', 'footer')),
            locale TEXT NOT NULL,
            body TEXT NOT NULL CHECK (length(CAST(body AS BLOB)) BETWEEN 1 AND 65536),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, section, locale)
        ) STRICT;

        -- slot: 'email/<name>/<locale>', 'sms/<name>/<locale>' or 'page/<section>/<locale>'.
        -- A reset is a version without a body: the default from then on.
        CREATE TABLE template_version (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            slot TEXT NOT NULL CHECK (slot GLOB '[eps]*/*/*'),
            subject TEXT,
            body TEXT,
            text_body TEXT,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX template_version_slot ON template_version(tenant_id, slot, id);

        -- A tenant's uploaded logo, checked on upload (LogoImage); one per tenant.
        CREATE TABLE tenant_logo (
            tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
            bytes BLOB NOT NULL CHECK (length(bytes) BETWEEN 1 AND 524288),
            updated_at TEXT NOT NULL
        ) STRICT;
        """

    /// Admin part 2, the rest: what each provider last did (an event received, a webhook
    /// refused, a registration that failed), a custom domain waiting for its DNS proof, and the
    /// review and product links of delivered pages with their clicks per day.
    static let v10ProvidersDomainsLinks = """
        CREATE TABLE provider_activity (
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            provider TEXT NOT NULL CHECK (provider IN ('track123', 'aftership', '17track', 'easypost', 'shippo', 'waymark')),
            last_event_at TEXT,
            last_refused_at TEXT,
            last_refusal TEXT,
            last_registration_error_at TEXT,
            last_registration_error TEXT,
            PRIMARY KEY (tenant_id, provider)
        ) STRICT, WITHOUT ROWID;

        -- A domain a tenant asked for; it serves only once its TXT record proves the claim
        -- (then it moves to tenant.custom_domain and the claim goes).
        CREATE TABLE domain_claim (
            tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
            domain TEXT NOT NULL COLLATE NOCASE CHECK (length(domain) BETWEEN 4 AND 253),
            token TEXT NOT NULL CHECK (length(token) >= 22),
            created_at TEXT NOT NULL,
            checked_at TEXT,
            problem TEXT
        ) STRICT;

        -- Position 0 is the review link, 1 to 4 the product links. AUTOINCREMENT: a changed link
        -- is a new one, and its old /go/ address must never lead to whatever comes next.
        CREATE TABLE after_delivery_link (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 4),
            kind TEXT NOT NULL CHECK (kind IN ('review', 'product') AND (kind = 'review') = (position = 0)),
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
            image_url TEXT CHECK (image_url IS NULL OR length(image_url) BETWEEN 9 AND 2048),
            url TEXT NOT NULL CHECK (length(url) BETWEEN 9 AND 2048),
            created_at TEXT NOT NULL,
            UNIQUE (tenant_id, position)
        ) STRICT;

        CREATE TABLE after_delivery_click (
            link_id INTEGER NOT NULL REFERENCES after_delivery_link(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            clicks INTEGER NOT NULL CHECK (clicks >= 0),
            PRIMARY KEY (link_id, day)
        ) STRICT, WITHOUT ROWID;
        """
}
