import Foundation

/// People: their sessions in the admin, password resets, team memberships and invitations.
///
/// Secrets (the session cookie, reset and invitation links) are never stored: callers pass their
/// SHA-256 (`SecretDigest`), so a copy of the database opens no session.
public protocol AccountStore: Sendable {
    /// The tenants `userID` belongs to, by name.
    func memberships(userID: Int64) async throws -> [TenantMembership]

    /// Opens a session for `userID` in `tenantID` (which it must belong to; nil otherwise).
    func createSession(
        userID: Int64, tenantID: Int64, secretDigest: String, csrfToken: String, address: String?, userAgent: String?, now: Date
    ) async throws -> AdminSession?
    /// The live session with this secret: not ended, not idle past `lifetime.idle`, not older
    /// than `lifetime.absolute`, its user still a member of its tenant. Notes the request when the
    /// last one is older than `SessionLifetime.touchInterval`.
    func session(secretDigest: String, lifetime: SessionLifetime, now: Date) async throws -> AdminSession?
    /// Ends a session of `userID` by its id; false when there is no such live session.
    func endSession(userID: Int64, sessionID: Int64, now: Date) async throws -> Bool
    /// A user's live sessions, newest first.
    func sessions(userID: Int64, lifetime: SessionLifetime, now: Date) async throws -> [SessionSummary]
    /// Moves a session to another of its user's tenants; nil when the user is not a member there.
    func switchTenant(sessionID: Int64, userID: Int64, tenantID: Int64) async throws -> AdminSession?

    /// Stores a reset link for the account with `email`; nil (and nothing stored) when there is none.
    func createPasswordReset(email: String, secretDigest: String, now: Date) async throws -> Int64?
    /// Whether a reset link is unused and unexpired.
    func passwordResetIsLive(secretDigest: String, now: Date) async throws -> Bool
    /// Uses a reset link: sets the password and ends every session of that user. Nil for a used,
    /// expired or unknown link.
    func resetPassword(secretDigest: String, passwordHash: String, now: Date) async throws -> Int64?

    func teamMembers(tenantID: Int64) async throws -> [TeamMember]
    /// Invites `email` to `tenantID`; an earlier open invitation of the same address is revoked.
    func createInvitation(tenantID: Int64, email: String, role: MemberRole, invitedBy: Int64, secretDigest: String, now: Date) async throws -> Invitation
    /// Open invitations of a tenant, newest first.
    func invitations(tenantID: Int64, now: Date) async throws -> [Invitation]
    /// The open invitation a link is for.
    func invitation(secretDigest: String, now: Date) async throws -> PendingInvitation?
    /// Accepts an invitation: creates the account when the address has none (`passwordHash`
    /// required then) and the membership. Returns the user's id; nil for a used, revoked or
    /// expired link.
    func acceptInvitation(secretDigest: String, passwordHash: String?, now: Date) async throws -> Int64?
    func revokeInvitation(tenantID: Int64, id: Int64, now: Date) async throws -> Bool
    /// Changes a member's role. Throws `AccountError.lastOwner` when it would leave no owner.
    func setRole(tenantID: Int64, userID: Int64, role: MemberRole) async throws -> Bool
    /// Removes a member and ends their sessions in this tenant. Throws `AccountError.lastOwner`.
    func removeMember(tenantID: Int64, userID: Int64) async throws -> Bool
    /// Deletes the tenant's shipments with everything hanging off them (checkpoints, deliveries,
    /// subscriptions, page views), its inbound events and idempotency keys. The tenant, team,
    /// keys, settings and audit log stay. Returns how many shipments went.
    func deleteTenantData(tenantID: Int64) async throws -> Int
}

/// A team change that cannot be made.
public enum AccountError: Error, Equatable, CustomStringConvertible {
    case lastOwner

    public var description: String {
        switch self {
        case .lastOwner: "a tenant needs at least one owner: make someone else owner first"
        }
    }
}
