import Foundation
import PostgresNIO
import WaymarkCore

// People, teams, the audit log and API keys on PostgreSQL: the same promises as `Accounts.swift`
// for SQLite. Where SQLite counts on being the only writer, rows are locked (`FOR SHARE`,
// `FOR UPDATE`) so that several nodes writing at once leave what one writer after another would.

extension PostgresStore: AccountStore {
    public func memberships(userID: Int64) async throws -> [TenantMembership] {
        try await run { c in
            var memberships: [TenantMembership] = []
            for try await row in try await c.run("""
                SELECT t.*, m.role AS member_role FROM membership m JOIN tenant t ON t.id = m.tenant_id
                WHERE m.user_id = \(userID) ORDER BY t.name COLLATE "C", t.id
                """)
            {
                let columns = row.makeRandomAccess()
                memberships.append(TenantMembership(
                    tenant: try TenantRecord(postgres: row).tenant(),
                    role: try MembershipRecord.role("member_role", in: columns, id: userID)))
            }
            return memberships
        }
    }

    public func createSession(
        userID: Int64, tenantID: Int64, secretDigest: String, csrfToken: String, address: String?, userAgent: String?, now: Date
    ) async throws -> AdminSession? {
        try await transaction { c in
            // Held until commit: a member removed meanwhile waits for this session, then ends it.
            guard try await Self.role(c, userID: userID, tenantID: tenantID, lock: "FOR SHARE") != nil else { return nil }
            let id = try await c.run(AdminSessionRecord(
                id: nil, secretSHA256: secretDigest, userID: userID, tenantID: tenantID, csrfToken: csrfToken, address: address,
                userAgent: userAgent.map { String($0.prefix(200)) }, createdAt: now, lastSeenAt: now, endedAt: nil
            ).postgresInsert("RETURNING id")).required(Int64.self)
            return try await Self.liveSession(c, "s.id", id, lifetime: nil)
        }
    }

    public func session(secretDigest: String, lifetime: SessionLifetime, now: Date) async throws -> AdminSession? {
        let session = try await run { c in try await Self.liveSession(c, "s.secret_sha256", secretDigest, lifetime: (lifetime, now)) }
        guard let session, now.timeIntervalSince(session.lastSeenAt) >= SessionLifetime.touchInterval else { return session }
        try await run { c in
            try await c.run("UPDATE admin_session SET last_seen_at = \(now) WHERE id = \(session.id) AND ended_at IS NULL")
        }
        return session
    }

    /// The session whose `column` (of alias `s`: `s.id`, `s.secret_sha256`) is `value`, when it
    /// has not ended, its user still belongs to its tenant and, with `lifetime`, it is neither
    /// idle nor too old at that time (without: a session just made or changed, read back in the
    /// same transaction).
    static func liveSession(
        _ c: PostgresConnection, _ column: String, _ value: some PostgresDynamicTypeEncodable, lifetime: (SessionLifetime, now: Date)?
    ) async throws -> AdminSession? {
        let idleCutoff = lifetime.map { $0.now.addingTimeInterval(-$0.0.idle) }
        let ageCutoff = lifetime.map { $0.now.addingTimeInterval(-$0.0.absolute) }
        let rows = try await c.run("""
            SELECT s.id AS session_id, s.user_id, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at, u.email, m.role, t.*
            FROM admin_session s
            JOIN "user" u ON u.id = s.user_id
            JOIN membership m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
            JOIN tenant t ON t.id = s.tenant_id
            WHERE \(unescaped: column) = \(value) AND s.ended_at IS NULL
              AND (\(idleCutoff)::timestamptz IS NULL OR s.last_seen_at > \(idleCutoff))
              AND (\(ageCutoff)::timestamptz IS NULL OR s.created_at > \(ageCutoff))
            """)
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let id: Int64 = try AdminSessionRecord.column("session_id", in: columns, id: "?")
            return AdminSession(
                id: id, userID: try AdminSessionRecord.column("user_id", in: columns, id: id),
                email: try UserRecord.column("email", in: columns, id: id), tenant: try TenantRecord(postgres: row).tenant(),
                role: try MembershipRecord.role("role", in: columns, id: id),
                csrfToken: try AdminSessionRecord.column("csrf_token", in: columns, id: id),
                createdAt: try AdminSessionRecord.column("session_created_at", in: columns, id: id),
                lastSeenAt: try AdminSessionRecord.column("last_seen_at", in: columns, id: id))
        }
        return nil
    }

    public func endSession(userID: Int64, sessionID: Int64, now: Date) async throws -> Bool {
        try await run { c in
            try await c.run("""
                UPDATE admin_session SET ended_at = \(now) WHERE id = \(sessionID) AND user_id = \(userID) AND ended_at IS NULL RETURNING id
                """).value(Int64.self) != nil
        }
    }

    public func sessions(userID: Int64, lifetime: SessionLifetime, now: Date) async throws -> [SessionSummary] {
        try await run { c in
            try await c.run("""
                SELECT * FROM admin_session WHERE user_id = \(userID) AND ended_at IS NULL
                    AND last_seen_at > \(now.addingTimeInterval(-lifetime.idle)) AND created_at > \(now.addingTimeInterval(-lifetime.absolute))
                ORDER BY created_at DESC, id DESC
                """).records(AdminSessionRecord.self).map(\.summary)
        }
    }

    public func switchTenant(sessionID: Int64, userID: Int64, tenantID: Int64) async throws -> AdminSession? {
        try await transaction { c in
            guard try await Self.role(c, userID: userID, tenantID: tenantID, lock: "FOR SHARE") != nil else { return nil }
            // Another user's session, or one that has ended, is neither moved nor answered.
            guard try await c.run("""
                UPDATE admin_session SET tenant_id = \(tenantID) WHERE id = \(sessionID) AND user_id = \(userID) AND ended_at IS NULL
                RETURNING id
                """).value(Int64.self) != nil else { return nil }
            return try await Self.liveSession(c, "s.id", sessionID, lifetime: nil)
        }
    }

    /// The user's role in the tenant; with `lock` (`FOR SHARE`, `FOR UPDATE`) the membership row
    /// stays as read until the transaction ends.
    static func role(_ c: PostgresConnection, userID: Int64, tenantID: Int64, lock: String = "") async throws -> MemberRole? {
        try await c.run("""
            SELECT * FROM membership WHERE user_id = \(userID) AND tenant_id = \(tenantID) \(unescaped: lock)
            """).record(MembershipRecord.self)?.role
    }

    // MARK: Password reset

    public func createPasswordReset(email: String, secretDigest: String, now: Date) async throws -> Int64? {
        try await transaction { c in
            guard let userID = try await c.run(#"SELECT id FROM "user" WHERE lower(email) = lower(\#(email))"#).value(Int64.self)
            else { return nil }
            try await c.run("""
                INSERT INTO password_reset (secret_sha256, user_id, created_at, expires_at)
                VALUES (\(secretDigest), \(userID), \(now), \(now.addingTimeInterval(PasswordReset.lifetime)))
                """)
            return userID
        }
    }

    public func passwordResetIsLive(secretDigest: String, now: Date) async throws -> Bool {
        try await run { c in
            try await c.run("""
                SELECT 1 FROM password_reset WHERE secret_sha256 = \(secretDigest) AND used_at IS NULL AND expires_at > \(now)
                """).value(Int32.self) != nil
        }
    }

    public func resetPassword(secretDigest: String, passwordHash: String, now: Date) async throws -> Int64? {
        try await transaction { c in
            // The row lock makes a link used once, however many nodes are handed it at once.
            guard let userID = try await c.run("""
                UPDATE password_reset SET used_at = \(now) WHERE secret_sha256 = \(secretDigest) AND used_at IS NULL AND expires_at > \(now)
                RETURNING user_id
                """).value(Int64.self)
            else { return nil }
            try await c.run(#"UPDATE "user" SET password_hash = \#(passwordHash) WHERE id = \#(userID)"#)
            // A new password ends every way in that the old one opened, and every other open link.
            try await c.run("UPDATE admin_session SET ended_at = \(now) WHERE user_id = \(userID) AND ended_at IS NULL")
            try await c.run("UPDATE password_reset SET used_at = \(now) WHERE user_id = \(userID) AND used_at IS NULL")
            return userID
        }
    }

    // MARK: Team

    public func teamMembers(tenantID: Int64) async throws -> [TeamMember] {
        try await run { c in
            var members: [TeamMember] = []
            for try await row in try await c.run("""
                SELECT u.id, u.email, m.role, m.created_at FROM membership m JOIN "user" u ON u.id = m.user_id
                WHERE m.tenant_id = \(tenantID) ORDER BY lower(u.email) COLLATE "C", u.id
                """)
            {
                let columns = row.makeRandomAccess()
                let id: Int64 = try UserRecord.column("id", in: columns, id: "?")
                members.append(TeamMember(
                    userID: id, email: try UserRecord.column("email", in: columns, id: id),
                    role: try MembershipRecord.role("role", in: columns, id: id),
                    joinedAt: try MembershipRecord.column("created_at", in: columns, id: id)))
            }
            return members
        }
    }

    public func createInvitation(
        tenantID: Int64, email: String, role: MemberRole, invitedBy: Int64, secretDigest: String, now: Date
    ) async throws -> Invitation {
        try await transaction { c in
            // One invitation of an address at a time: two made at once leave only the later open,
            // as they would one after the other.
            try await c.run("""
                SELECT pg_advisory_xact_lock(hashtextextended('waymark.invitation:' || \(tenantID)::text || ':' || lower(\(email)), 0))
                """)
            try await c.run("""
                UPDATE invitation SET revoked_at = \(now)
                WHERE tenant_id = \(tenantID) AND lower(email) = lower(\(email)) AND accepted_at IS NULL AND revoked_at IS NULL
                """)
            let record = InvitationRecord(
                id: nil, secretSHA256: secretDigest, tenantID: tenantID, email: email, role: role, invitedBy: invitedBy, createdAt: now,
                expiresAt: now.addingTimeInterval(Invitation.lifetime), acceptedAt: nil, revokedAt: nil)
            guard let inserted = try await c.run(record.postgresInsert("RETURNING *")).record(InvitationRecord.self) else {
                throw StoreError.storageUnavailable("PostgreSQL returned no row for a new invitation")
            }
            return inserted.invitation
        }
    }

    public func invitations(tenantID: Int64, now: Date) async throws -> [Invitation] {
        try await run { c in
            try await c.run("""
                SELECT * FROM invitation WHERE tenant_id = \(tenantID) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
                ORDER BY created_at DESC, id DESC
                """).records(InvitationRecord.self).map(\.invitation)
        }
    }

    public func invitation(secretDigest: String, now: Date) async throws -> PendingInvitation? {
        try await run { c in try await Self.openInvitation(c, secretDigest: secretDigest, now: now, lock: false) }
    }

    /// The open invitation of a link; with `lock`, its row is held until the transaction ends, so
    /// a second use of the link at the same moment finds it accepted.
    static func openInvitation(_ c: PostgresConnection, secretDigest: String, now: Date, lock: Bool) async throws -> PendingInvitation? {
        guard let record = try await c.run("""
            SELECT * FROM invitation WHERE secret_sha256 = \(secretDigest) AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """).record(InvitationRecord.self)
        else { return nil }
        let tenant = try await tenant(c, "SELECT * FROM tenant WHERE id = \(record.tenantID)")
        let hasAccount = try await c.run(#"SELECT 1 FROM "user" WHERE lower(email) = lower(\#(record.email))"#).value(Int32.self) != nil
        return PendingInvitation(invitation: record.invitation, tenant: tenant, hasAccount: hasAccount)
    }

    public func acceptInvitation(secretDigest: String, passwordHash: String?, now: Date) async throws -> Int64? {
        try await transaction { c in
            guard let pending = try await Self.openInvitation(c, secretDigest: secretDigest, now: now, lock: true) else { return nil }
            let invitation = pending.invitation
            var userID = try await c.run(#"SELECT id FROM "user" WHERE lower(email) = lower(\#(invitation.email))"#).value(Int64.self)
            if userID == nil {
                guard let passwordHash else { return nil }
                // An account made for the same address by another node meanwhile is the one joined,
                // as it would be had it been made first.
                userID = try await c.run(UserRecord(id: nil, email: invitation.email, passwordHash: passwordHash, createdAt: now)
                    .postgresInsert("ON CONFLICT (lower(email)) DO NOTHING RETURNING id")).value(Int64.self)
                if userID == nil {
                    userID = try await c.run(#"SELECT id FROM "user" WHERE lower(email) = lower(\#(invitation.email))"#).value(Int64.self)
                }
            }
            guard let userID else { throw StoreError.storageUnavailable("PostgreSQL returned no id for the invited user") }
            // Already a member: the invitation does not lower or raise the role they have.
            try await c.run("""
                INSERT INTO membership (tenant_id, user_id, role, created_at) VALUES (\(invitation.tenantID), \(userID), \(invitation.role.rawValue), \(now))
                ON CONFLICT (tenant_id, user_id) DO NOTHING
                """)
            try await c.run("UPDATE invitation SET accepted_at = \(now) WHERE id = \(invitation.id)")
            return userID
        }
    }

    public func revokeInvitation(tenantID: Int64, id: Int64, now: Date) async throws -> Bool {
        try await run { c in
            try await c.run("""
                UPDATE invitation SET revoked_at = \(now) WHERE tenant_id = \(tenantID) AND id = \(id) AND accepted_at IS NULL AND revoked_at IS NULL
                RETURNING id
                """).value(Int64.self) != nil
        }
    }

    public func setRole(tenantID: Int64, userID: Int64, role: MemberRole) async throws -> Bool {
        try await transaction { c in
            let owners = try await Self.lockOwners(c, tenantID: tenantID)
            guard let current = try await Self.role(c, userID: userID, tenantID: tenantID, lock: "FOR UPDATE") else { return false }
            if current == .owner, role != .owner, owners <= 1 { throw AccountError.lastOwner }
            try await c.run("UPDATE membership SET role = \(role.rawValue) WHERE tenant_id = \(tenantID) AND user_id = \(userID)")
            return true
        }
    }

    public func removeMember(tenantID: Int64, userID: Int64) async throws -> Bool {
        try await transaction { c in
            let owners = try await Self.lockOwners(c, tenantID: tenantID)
            guard let current = try await Self.role(c, userID: userID, tenantID: tenantID, lock: "FOR UPDATE") else { return false }
            if current == .owner, owners <= 1 { throw AccountError.lastOwner }
            try await c.run("DELETE FROM membership WHERE tenant_id = \(tenantID) AND user_id = \(userID)")
            try await c.run("""
                UPDATE admin_session SET ended_at = \(Date()) WHERE tenant_id = \(tenantID) AND user_id = \(userID) AND ended_at IS NULL
                """)
            return true
        }
    }

    /// Locks the tenant's owners' memberships (in one order, so two changes never deadlock) and
    /// counts them: two owners demoting each other at once cannot leave the tenant with none, the
    /// second finds one owner left.
    static func lockOwners(_ c: PostgresConnection, tenantID: Int64) async throws -> Int {
        try await c.run("""
            SELECT user_id FROM membership WHERE tenant_id = \(tenantID) AND role = 'owner' ORDER BY user_id FOR UPDATE
            """).values(Int64.self).count
    }

    public func deleteTenantData(tenantID: Int64) async throws -> Int {
        try await transaction { c in
            // Checkpoints, deliveries, subscriptions and page views go with their shipment (ON DELETE CASCADE).
            let shipments = try await c.run("""
                WITH gone AS (DELETE FROM shipment WHERE tenant_id = \(tenantID) RETURNING 1) SELECT count(*) FROM gone
                """).required(Int64.self)
            try await c.run("DELETE FROM inbound_event WHERE tenant_id = \(tenantID)")
            try await c.run("DELETE FROM idempotency_key WHERE tenant_id = \(tenantID)")
            try await c.run("DELETE FROM page_view_day WHERE tenant_id = \(tenantID)")
            try await c.run("DELETE FROM after_delivery_click WHERE link_id IN (SELECT id FROM after_delivery_link WHERE tenant_id = \(tenantID))")
            return Int(shipments)
        }
    }
}

// MARK: Audit log

extension PostgresStore: AuditStore {
    public func recordAudit(_ event: AuditEvent, now: Date) async throws {
        try await run { c in
            try await c.run(AuditEntryRecord(
                id: nil, tenantID: event.tenantID, actor: String(event.actor.prefix(200)), action: String(event.action.prefix(1_000)),
                subject: event.subject.map { String($0.prefix(200)) }, address: event.address, createdAt: now
            ).postgresInsert())
        }
    }

    public func auditEntries(tenantID: Int64, before: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await run { c in
            try await c.run("""
                SELECT * FROM audit_entry WHERE tenant_id = \(tenantID) AND (\(before)::bigint IS NULL OR id < \(before))
                ORDER BY id DESC LIMIT \(limit)
                """).records(AuditEntryRecord.self).map(\.entry)
        }
    }
}

// MARK: API keys

extension PostgresStore: APIKeyStore {
    public func createAPIKey(tenantID: Int64, name: String, scope: APIKeyScope, now: Date) async throws -> (key: APIKeySummary, secret: String) {
        let secret = APIKeySecret.generate()
        let summary = try await run { c in
            let record = APIKeyRecord(tenantID: tenantID, name: name, secret: secret, scope: scope, now: now)
            guard let inserted = try await c.run(record.postgresInsert("RETURNING *")).record(APIKeyRecord.self) else {
                throw StoreError.storageUnavailable("PostgreSQL returned no row for a new API key")
            }
            return try inserted.summary
        }
        return (summary, secret)
    }

    public func apiKeys(tenantID: Int64) async throws -> [APIKeySummary] {
        try await run { c in
            try await c.run("SELECT * FROM api_key WHERE tenant_id = \(tenantID) ORDER BY created_at DESC, id DESC")
                .records(APIKeyRecord.self).map { try $0.summary }
        }
    }

    public func revokeAPIKey(tenantID: Int64, id: Int64, now: Date) async throws -> Bool {
        try await run { c in
            try await c.run("""
                UPDATE api_key SET revoked_at = \(now) WHERE tenant_id = \(tenantID) AND id = \(id) AND revoked_at IS NULL RETURNING id
                """).value(Int64.self) != nil
        }
    }

    public func recordAPIKeyUse(_ lastUse: [Int64: Date]) async throws {
        guard !lastUse.isEmpty else { return }
        try await transaction { c in
            // In the order of their ids: nodes writing the same keys at once then never deadlock.
            for (id, at) in lastUse.sorted(by: { $0.key < $1.key }) {
                try await c.run("UPDATE api_key SET last_used_at = \(at) WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < \(at))")
            }
        }
    }
}

// MARK: Reading joined rows

extension StoredRecord {
    /// One column of a hand-written SELECT of this table (one side of a join), decoded with the
    /// same care as a whole record: a value that cannot be read is a `StoredValueError` naming
    /// this table, the column and `id`.
    fileprivate static func column<T: PostgresDecodable>(
        _ name: String, in row: PostgresRandomAccessRow, id: some CustomStringConvertible, as type: T.Type = T.self
    ) throws -> T {
        guard row.contains(name) else {
            throw StoredValueError(table: databaseTableName, column: name, rowID: id.description, problem: "no such column")
        }
        do {
            return try row[name].decode(T.self)
        } catch {
            throw StoredValueError(table: databaseTableName, column: name, rowID: id.description, problem: "expected \(T.self): \(error)")
        }
    }

    /// A role column, which must be one `MemberRole` knows.
    fileprivate static func role(_ name: String, in row: PostgresRandomAccessRow, id: some CustomStringConvertible) throws -> MemberRole {
        let text: String = try column(name, in: row, id: id)
        guard let role = MemberRole(rawValue: text) else {
            throw StoredValueError(table: databaseTableName, column: name, rowID: id.description, problem: "unknown role '\(text)'")
        }
        return role
    }
}
