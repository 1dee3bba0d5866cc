import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    public func memberships(userID: Int64) async throws -> [TenantMembership] {
        try await read { db in try Self.memberships(db, userID: userID) }
    }

    static func memberships(_ db: Database, userID: Int64) throws -> [TenantMembership] {
        try Row.fetchAll(db, sql: """
            SELECT t.*, m.role AS member_role FROM membership m JOIN tenant t ON t.id = m.tenant_id
            WHERE m.user_id = ? ORDER BY t.name, t.id
            """, arguments: [userID]).map { row in
            TenantMembership(tenant: try TenantRecord(row: row).tenant(), role: try MembershipRecord.value(Column("member_role"), in: row, id: userID))
        }
    }

    public func createSession(
        userID: Int64, tenantID: Int64, secretDigest: String, csrfToken: String, address: String?, userAgent: String?, now: Date
    ) async throws -> AdminSession? {
        try await write { db in
            guard try Self.role(db, userID: userID, tenantID: tenantID) != nil else { return nil }
            try AdminSessionRecord(
                id: nil, secretSHA256: secretDigest, userID: userID, tenantID: tenantID, csrfToken: csrfToken, address: address,
                userAgent: userAgent.map { String($0.prefix(200)) }, createdAt: now, lastSeenAt: now, endedAt: nil
            ).insert(db)
            return try Self.liveSession(db, sql: "s.id = ?", db.lastInsertedRowID, lifetime: nil)
        }
    }

    public func session(secretDigest: String, lifetime: SessionLifetime, now: Date) async throws -> AdminSession? {
        let session = try await read { db in try Self.liveSession(db, sql: "s.secret_sha256 = ?", secretDigest, lifetime: (lifetime, now)) }
        guard let session, now.timeIntervalSince(session.lastSeenAt) >= SessionLifetime.touchInterval else { return session }
        try await write { db in
            try db.execute(sql: "UPDATE admin_session SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL", arguments: [now, session.id])
        }
        return session
    }

    /// The session matching `condition` (on alias `s`), when it has not ended, its user still
    /// belongs to its tenant and, with `lifetime`, it is neither idle nor too old at that time
    /// (without: a session just made or changed, read back in the same transaction).
    static func liveSession(
        _ db: Database, sql condition: String, _ argument: some DatabaseValueConvertible, lifetime: (SessionLifetime, now: Date)?
    ) throws -> AdminSession? {
        var sql = """
            SELECT s.id AS session_id, s.user_id, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at, u.email, m.role, t.*
            FROM admin_session s
            JOIN user u ON u.id = s.user_id
            JOIN membership m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
            JOIN tenant t ON t.id = s.tenant_id
            WHERE \(condition) AND s.ended_at IS NULL
            """
        var arguments: StatementArguments = [argument]
        if let (limits, now) = lifetime {
            sql += " AND s.last_seen_at > ? AND s.created_at > ?"
            arguments += [now.addingTimeInterval(-limits.idle), now.addingTimeInterval(-limits.absolute)]
        }
        guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return nil }
        let id: Int64 = try AdminSessionRecord.value(Column("session_id"), in: row, id: "?")
        return AdminSession(
            id: id, userID: try AdminSessionRecord.value(Column("user_id"), in: row, id: id),
            email: try UserRecord.value(UserRecord.Columns.email, in: row, id: id), tenant: try TenantRecord(row: row).tenant(),
            role: try MembershipRecord.value(MembershipRecord.Columns.role, in: row, id: id),
            csrfToken: try AdminSessionRecord.value(Column("csrf_token"), in: row, id: id),
            createdAt: try AdminSessionRecord.value(Column("session_created_at"), in: row, id: id),
            lastSeenAt: try AdminSessionRecord.value(Column("last_seen_at"), in: row, id: id))
    }

    public func endSession(userID: Int64, sessionID: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE admin_session SET ended_at = ? WHERE id = ? AND user_id = ? AND ended_at IS NULL", arguments: [now, sessionID, userID])
            return db.changesCount > 0
        }
    }

    public func sessions(userID: Int64, lifetime: SessionLifetime, now: Date) async throws -> [SessionSummary] {
        try await read { db in
            try AdminSessionRecord.fetchAll(db, sql: """
                SELECT * FROM admin_session WHERE user_id = ? AND ended_at IS NULL AND last_seen_at > ? AND created_at > ?
                ORDER BY created_at DESC, id DESC
                """, arguments: [userID, now.addingTimeInterval(-lifetime.idle), now.addingTimeInterval(-lifetime.absolute)]).map(\.summary)
        }
    }

    public func switchTenant(sessionID: Int64, userID: Int64, tenantID: Int64) async throws -> AdminSession? {
        try await write { db in
            guard try Self.role(db, userID: userID, tenantID: tenantID) != nil else { return nil }
            try db.execute(
                sql: "UPDATE admin_session SET tenant_id = ? WHERE id = ? AND user_id = ? AND ended_at IS NULL",
                arguments: [tenantID, sessionID, userID])
            // Another user's session, or one that has ended, is neither moved nor answered.
            guard db.changesCount > 0 else { return nil }
            return try Self.liveSession(db, sql: "s.id = ?", sessionID, lifetime: nil)
        }
    }

    static func role(_ db: Database, userID: Int64, tenantID: Int64) throws -> MemberRole? {
        try MembershipRecord.fetchOne(
            db, sql: "SELECT * FROM membership WHERE user_id = ? AND tenant_id = ?", arguments: [userID, tenantID])?.role
    }

    // MARK: Password reset

    public func createPasswordReset(email: String, secretDigest: String, now: Date) async throws -> Int64? {
        try await write { db in
            guard let userID = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email]) else { return nil }
            try db.execute(sql: """
                INSERT INTO password_reset (secret_sha256, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)
                """, arguments: [secretDigest, userID, now, now.addingTimeInterval(PasswordReset.lifetime)])
            return userID
        }
    }

    public func passwordResetIsLive(secretDigest: String, now: Date) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM password_reset WHERE secret_sha256 = ? AND used_at IS NULL AND expires_at > ?
                """, arguments: [secretDigest, now]) == true
        }
    }

    public func resetPassword(secretDigest: String, passwordHash: String, now: Date) async throws -> Int64? {
        try await write { db in
            guard let userID = try Int64.fetchOne(db, sql: """
                UPDATE password_reset SET used_at = ? WHERE secret_sha256 = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id
                """, arguments: [now, secretDigest, now])
            else { return nil }
            try db.execute(sql: "UPDATE user SET password_hash = ? WHERE id = ?", arguments: [passwordHash, userID])
            // A new password ends every way in that the old one opened, and every other open link.
            try db.execute(sql: "UPDATE admin_session SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", arguments: [now, userID])
            try db.execute(sql: "UPDATE password_reset SET used_at = ? WHERE user_id = ? AND used_at IS NULL", arguments: [now, userID])
            return userID
        }
    }

    // MARK: Team

    public func teamMembers(tenantID: Int64) async throws -> [TeamMember] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT u.id, u.email, m.role, m.created_at FROM membership m JOIN user u ON u.id = m.user_id
                WHERE m.tenant_id = ? ORDER BY u.email
                """, arguments: [tenantID]).map { row in
                let id: Int64 = try UserRecord.value(UserRecord.Columns.id, in: row, id: "?")
                return TeamMember(
                    userID: id, email: try UserRecord.value(UserRecord.Columns.email, in: row, id: id),
                    role: try MembershipRecord.value(MembershipRecord.Columns.role, in: row, id: id),
                    joinedAt: try MembershipRecord.value(MembershipRecord.Columns.createdAt, in: row, id: id))
            }
        }
    }

    public func createInvitation(
        tenantID: Int64, email: String, role: MemberRole, invitedBy: Int64, secretDigest: String, now: Date
    ) async throws -> Invitation {
        try await write { db in
            try db.execute(sql: """
                UPDATE invitation SET revoked_at = ? WHERE tenant_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL
                """, arguments: [now, tenantID, email])
            var record = InvitationRecord(
                id: nil, secretSHA256: secretDigest, tenantID: tenantID, email: email, role: role, invitedBy: invitedBy, createdAt: now,
                expiresAt: now.addingTimeInterval(Invitation.lifetime), acceptedAt: nil, revokedAt: nil)
            try record.insert(db)
            record.id = db.lastInsertedRowID
            return record.invitation
        }
    }

    public func invitations(tenantID: Int64, now: Date) async throws -> [Invitation] {
        try await read { db in
            try InvitationRecord.fetchAll(db, sql: """
                SELECT * FROM invitation WHERE tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
                ORDER BY created_at DESC, id DESC
                """, arguments: [tenantID, now]).map(\.invitation)
        }
    }

    public func invitation(secretDigest: String, now: Date) async throws -> PendingInvitation? {
        try await read { db in try Self.openInvitation(db, secretDigest: secretDigest, now: now) }
    }

    static func openInvitation(_ db: Database, secretDigest: String, now: Date) throws -> PendingInvitation? {
        guard let record = try InvitationRecord.fetchOne(db, sql: """
            SELECT * FROM invitation WHERE secret_sha256 = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
            """, arguments: [secretDigest, now])
        else { return nil }
        let tenant = try fetchTenant(db, sql: "SELECT * FROM tenant WHERE id = ?", record.tenantID)
        let hasAccount = try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE email = ?", arguments: [record.email]) == true
        return PendingInvitation(invitation: record.invitation, tenant: tenant, hasAccount: hasAccount)
    }

    public func acceptInvitation(secretDigest: String, passwordHash: String?, now: Date) async throws -> Int64? {
        try await write { db in
            guard let pending = try Self.openInvitation(db, secretDigest: secretDigest, now: now) else { return nil }
            let invitation = pending.invitation
            let userID: Int64
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [invitation.email]) {
                userID = existing
            } else {
                guard let passwordHash else { return nil }
                try UserRecord(id: nil, email: invitation.email, passwordHash: passwordHash, createdAt: now).insert(db)
                userID = db.lastInsertedRowID
            }
            // Already a member: the invitation does not lower or raise the role they have.
            try db.execute(sql: """
                INSERT INTO membership (tenant_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant_id, user_id) DO NOTHING
                """, arguments: [invitation.tenantID, userID, invitation.role.rawValue, now])
            try db.execute(sql: "UPDATE invitation SET accepted_at = ? WHERE id = ?", arguments: [now, invitation.id])
            return userID
        }
    }

    public func revokeInvitation(tenantID: Int64, id: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE invitation SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL
                """, arguments: [now, tenantID, id])
            return db.changesCount > 0
        }
    }

    public func setRole(tenantID: Int64, userID: Int64, role: MemberRole) async throws -> Bool {
        try await write { db in
            guard let current = try Self.role(db, userID: userID, tenantID: tenantID) else { return false }
            if current == .owner, role != .owner, try Self.ownerCount(db, tenantID: tenantID) <= 1 { throw AccountError.lastOwner }
            try db.execute(sql: "UPDATE membership SET role = ? WHERE tenant_id = ? AND user_id = ?", arguments: [role.rawValue, tenantID, userID])
            return true
        }
    }

    public func removeMember(tenantID: Int64, userID: Int64) async throws -> Bool {
        try await write { db in
            guard let current = try Self.role(db, userID: userID, tenantID: tenantID) else { return false }
            if current == .owner, try Self.ownerCount(db, tenantID: tenantID) <= 1 { throw AccountError.lastOwner }
            try db.execute(sql: "DELETE FROM membership WHERE tenant_id = ? AND user_id = ?", arguments: [tenantID, userID])
            try db.execute(
                sql: "UPDATE admin_session SET ended_at = ? WHERE tenant_id = ? AND user_id = ? AND ended_at IS NULL",
                arguments: [Date(), tenantID, userID])
            return true
        }
    }

    static func ownerCount(_ db: Database, tenantID: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM membership WHERE tenant_id = ? AND role = 'owner'", arguments: [tenantID]) ?? 0
    }

    public func deleteTenantData(tenantID: Int64) async throws -> Int {
        try await write { db in
            // Checkpoints, deliveries, subscriptions and page views go with their shipment (ON DELETE CASCADE).
            try db.execute(sql: "DELETE FROM shipment WHERE tenant_id = ?", arguments: [tenantID])
            let shipments = db.changesCount
            try db.execute(sql: "DELETE FROM inbound_event WHERE tenant_id = ?", arguments: [tenantID])
            try db.execute(sql: "DELETE FROM idempotency_key WHERE tenant_id = ?", arguments: [tenantID])
            try db.execute(sql: "DELETE FROM page_view_day WHERE tenant_id = ?", arguments: [tenantID])
            try db.execute(sql: "DELETE FROM after_delivery_click WHERE link_id IN (SELECT id FROM after_delivery_link WHERE tenant_id = ?)", arguments: [tenantID])
            return shipments
        }
    }

    // MARK: Audit log

    public func recordAudit(_ event: AuditEvent, now: Date) async throws {
        try await write { db in
            try AuditEntryRecord(
                id: nil, tenantID: event.tenantID, actor: String(event.actor.prefix(200)), action: String(event.action.prefix(1_000)),
                subject: event.subject.map { String($0.prefix(200)) }, address: event.address, createdAt: now
            ).insert(db)
        }
    }

    public func auditEntries(tenantID: Int64, before: Int64?, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try AuditEntryRecord.fetchAll(db, sql: """
                SELECT * FROM audit_entry WHERE tenant_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?
                """, arguments: [tenantID, before, before, limit]).map(\.entry)
        }
    }

    // MARK: API keys

    public func createAPIKey(tenantID: Int64, name: String, scope: APIKeyScope, now: Date) async throws -> (key: APIKeySummary, secret: String) {
        let secret = APIKeySecret.generate()
        let summary = try await write { db in
            var record = APIKeyRecord(tenantID: tenantID, name: name, secret: secret, scope: scope, now: now)
            try record.insert(db)
            record.id = db.lastInsertedRowID
            return try record.summary
        }
        return (summary, secret)
    }

    public func apiKeys(tenantID: Int64) async throws -> [APIKeySummary] {
        try await read { db in
            try APIKeyRecord.fetchAll(db, sql: "SELECT * FROM api_key WHERE tenant_id = ? ORDER BY created_at DESC, id DESC", arguments: [tenantID])
                .map { try $0.summary }
        }
    }

    public func revokeAPIKey(tenantID: Int64, id: Int64, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_key SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL", arguments: [now, tenantID, id])
            return db.changesCount > 0
        }
    }

    public func recordAPIKeyUse(_ lastUse: [Int64: Date]) async throws {
        guard !lastUse.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE api_key SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)
                """)
            for (id, at) in lastUse { try statement.execute(arguments: [at, id]) }
        }
    }
}
