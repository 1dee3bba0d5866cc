import Foundation
import Testing
import WaymarkCore
import WaymarkStore

/// Sessions, password resets, teams and invitations (`AccountStore`), the audit log
/// (`AuditStore`) and API keys (`APIKeyStore`).
@Suite("AccountStore contract")
struct AccountStoreContractTests {
    typealias Store = any TenantStore & AccountStore & AuditStore & APIKeyStore

    static let csrf = String(repeating: "c", count: 24)
    static let lifetime = SessionLifetime(idle: 2 * 3600, absolute: 12 * 3600)

    /// The owner's user id of a new tenant.
    static func owner(_ store: Store, _ created: CreatedTenant) async throws -> Int64 {
        try #require(try await store.verifyLogin(email: "owner@\(created.tenant.slug).example", password: ContractFixture.password))
    }

    /// A new member of `tenantID` with `role`, through an invitation; their user id.
    static func member(_ store: Store, tenantID: Int64, email: String, role: MemberRole, invitedBy: Int64) async throws -> Int64 {
        _ = try await store.createInvitation(
            tenantID: tenantID, email: email, role: role, invitedBy: invitedBy, secretDigest: "invite-\(email)-\(tenantID)", now: contractDate)
        return try #require(try await store.acceptInvitation(secretDigest: "invite-\(email)-\(tenantID)", passwordHash: "hash", now: contractDate))
    }

    @Test("memberships list a user's tenants by name with their role", arguments: Backend.allCases)
    func memberships(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let zeta = try await ContractFixture.tenant(store, slug: "zeta", ownerEmail: "boss@example.com")
            let alpha = try await ContractFixture.tenant(store, slug: "alpha", ownerEmail: "other@example.com")
            let boss = try #require(try await store.verifyLogin(email: "boss@example.com", password: ContractFixture.password))
            let other = try #require(try await store.verifyLogin(email: "other@example.com", password: ContractFixture.password))
            _ = try await Self.member(store, tenantID: alpha.tenant.id, email: "BOSS@example.com", role: .agent, invitedBy: other)
            let memberships = try await store.memberships(userID: boss)
            #expect(memberships == [
                TenantMembership(tenant: alpha.tenant, role: .agent), TenantMembership(tenant: zeta.tenant, role: .owner),
            ])
            #expect(try await store.memberships(userID: 999_999) == [])
        }
    }

    @Test("a session opens only for a member, is found by its secret while live, and ends", arguments: Backend.allCases)
    func sessionLifecycle(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let other = try await ContractFixture.tenant(store, slug: "other")
            let owner = try await Self.owner(store, acme)
            #expect(try await store.createSession(
                userID: owner, tenantID: other.tenant.id, secretDigest: "s0", csrfToken: Self.csrf, address: nil, userAgent: nil, now: contractDate) == nil)
            let longAgent = String(repeating: "a", count: 300)
            let session = try #require(try await store.createSession(
                userID: owner, tenantID: acme.tenant.id, secretDigest: "s1", csrfToken: Self.csrf, address: "192.0.2.1", userAgent: longAgent,
                now: contractDate))
            #expect(session.userID == owner && session.email == "owner@acme.example" && session.role == .owner)
            #expect(session.tenant == acme.tenant && session.csrfToken == Self.csrf)
            #expect(session.createdAt == contractDate && session.lastSeenAt == contractDate)

            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate.addingTimeInterval(30)) == session)
            #expect(try await store.session(secretDigest: "nope", lifetime: Self.lifetime, now: contractDate) == nil)
            let summaries = try await store.sessions(userID: owner, lifetime: Self.lifetime, now: contractDate)
            #expect(summaries == [SessionSummary(
                id: session.id, address: "192.0.2.1", userAgent: String(repeating: "a", count: 200), createdAt: contractDate, lastSeenAt: contractDate)])

            #expect(try await store.endSession(userID: owner + 1, sessionID: session.id, now: contractDate) == false)
            #expect(try await store.endSession(userID: owner, sessionID: session.id, now: contractDate))
            #expect(try await store.endSession(userID: owner, sessionID: session.id, now: contractDate) == false)
            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate) == nil)
            #expect(try await store.sessions(userID: owner, lifetime: Self.lifetime, now: contractDate) == [])
        }
    }

    @Test("a session dies when idle or too old, and a request after the touch interval keeps it alive", arguments: Backend.allCases)
    func sessionLifetime(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            _ = try #require(try await store.createSession(
                userID: owner, tenantID: acme.tenant.id, secretDigest: "s1", csrfToken: Self.csrf, address: nil, userAgent: nil, now: contractDate))
            // Within the touch interval: not written.
            _ = try #require(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate.addingTimeInterval(59)))
            #expect(try await store.sessions(userID: owner, lifetime: Self.lifetime, now: contractDate).first?.lastSeenAt == contractDate)
            // Past it: the request is noted, so the idle limit counts from here.
            let hourLater = contractDate.addingTimeInterval(3600)
            let seen = try #require(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: hourLater))
            #expect(seen.lastSeenAt == contractDate)
            #expect(try await store.sessions(userID: owner, lifetime: Self.lifetime, now: hourLater).first?.lastSeenAt == hourLater)
            #expect(try await store.sessions(userID: owner, lifetime: Self.lifetime, now: hourLater.addingTimeInterval(7_000)).count == 1)
            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: hourLater.addingTimeInterval(7_300)) == nil)
            #expect(try await store.sessions(userID: owner, lifetime: Self.lifetime, now: hourLater.addingTimeInterval(7_300)) == [])

            // Kept busy, a session still ends at the absolute limit.
            var now = contractDate
            while now < contractDate.addingTimeInterval(11 * 3600) {
                now = now.addingTimeInterval(3600)
                _ = try #require(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: now))
            }
            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate.addingTimeInterval(12 * 3600 + 1)) == nil)
        }
    }

    @Test("sessions list newest first; switching tenant needs membership there", arguments: Backend.allCases)
    func sessionsAndSwitch(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme", ownerEmail: "boss@example.com")
            let beta = try await ContractFixture.tenant(store, slug: "beta", ownerEmail: "boss@example.com")
            let gamma = try await ContractFixture.tenant(store, slug: "gamma")
            let boss = try #require(try await store.verifyLogin(email: "boss@example.com", password: ContractFixture.password))
            let first = try #require(try await store.createSession(
                userID: boss, tenantID: acme.tenant.id, secretDigest: "s1", csrfToken: Self.csrf, address: nil, userAgent: nil, now: contractDate))
            let second = try #require(try await store.createSession(
                userID: boss, tenantID: acme.tenant.id, secretDigest: "s2", csrfToken: Self.csrf, address: nil, userAgent: nil,
                now: contractDate.addingTimeInterval(10)))
            #expect(try await store.sessions(userID: boss, lifetime: Self.lifetime, now: contractDate.addingTimeInterval(20)).map(\.id) == [second.id, first.id])

            #expect(try await store.switchTenant(sessionID: first.id, userID: boss, tenantID: gamma.tenant.id) == nil)
            let switched = try #require(try await store.switchTenant(sessionID: first.id, userID: boss, tenantID: beta.tenant.id))
            #expect(switched.id == first.id && switched.tenant == beta.tenant && switched.role == .owner)
            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate)?.tenant.id == beta.tenant.id)
            // Another user's session is neither moved nor handed to the one who asked.
            let gammaOwner = try await Self.owner(store, gamma)
            #expect(try await store.switchTenant(sessionID: second.id, userID: gammaOwner, tenantID: gamma.tenant.id) == nil)
            #expect(try await store.session(secretDigest: "s2", lifetime: Self.lifetime, now: contractDate)?.tenant.id == acme.tenant.id)
            // Nor is one that has ended.
            #expect(try await store.endSession(userID: boss, sessionID: second.id, now: contractDate))
            #expect(try await store.switchTenant(sessionID: second.id, userID: boss, tenantID: beta.tenant.id) == nil)
        }
    }

    @Test("a reset link works once, before it expires, sets the password and ends every session", arguments: Backend.allCases)
    func passwordReset(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            #expect(try await store.createPasswordReset(email: "nobody@acme.example", secretDigest: "r0", now: contractDate) == nil)
            #expect(try await store.passwordResetIsLive(secretDigest: "r0", now: contractDate) == false)
            #expect(try await store.createPasswordReset(email: "OWNER@acme.example", secretDigest: "r1", now: contractDate) == owner)
            #expect(try await store.createPasswordReset(email: "owner@acme.example", secretDigest: "r2", now: contractDate) == owner)
            #expect(try await store.passwordResetIsLive(secretDigest: "r1", now: contractDate.addingTimeInterval(PasswordReset.lifetime - 1)))
            #expect(try await store.passwordResetIsLive(secretDigest: "r1", now: contractDate.addingTimeInterval(PasswordReset.lifetime)) == false)
            #expect(try await store.resetPassword(
                secretDigest: "r1", passwordHash: "x", now: contractDate.addingTimeInterval(PasswordReset.lifetime)) == nil)

            _ = try #require(try await store.createSession(
                userID: owner, tenantID: acme.tenant.id, secretDigest: "s1", csrfToken: Self.csrf, address: nil, userAgent: nil, now: contractDate))
            let newPassword = "a brand new long password"
            let hash = await Passwords.hash(newPassword)
            #expect(try await store.resetPassword(secretDigest: "r1", passwordHash: hash, now: contractDate.addingTimeInterval(60)) == owner)
            #expect(try await store.verifyLogin(email: "owner@acme.example", password: newPassword) == owner)
            #expect(try await store.verifyLogin(email: "owner@acme.example", password: ContractFixture.password) == nil)
            #expect(try await store.session(secretDigest: "s1", lifetime: Self.lifetime, now: contractDate.addingTimeInterval(60)) == nil)
            // Used, and the other open link with it.
            #expect(try await store.resetPassword(secretDigest: "r1", passwordHash: "x", now: contractDate.addingTimeInterval(61)) == nil)
            #expect(try await store.passwordResetIsLive(secretDigest: "r2", now: contractDate.addingTimeInterval(61)) == false)
            #expect(try await store.resetPassword(secretDigest: "r2", passwordHash: "x", now: contractDate.addingTimeInterval(61)) == nil)
        }
    }

    @Test("an invitation replaces an earlier one of the address, lists while open, and can be revoked", arguments: Backend.allCases)
    func invitations(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let other = try await ContractFixture.tenant(store, slug: "other")
            let owner = try await Self.owner(store, acme)
            let first = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "new@example.com", role: .agent, invitedBy: owner, secretDigest: "i1", now: contractDate)
            #expect(first.tenantID == acme.tenant.id && first.email == "new@example.com" && first.role == .agent)
            #expect(first.createdAt == contractDate && first.expiresAt == contractDate.addingTimeInterval(Invitation.lifetime) && first.acceptedAt == nil)
            let later = contractDate.addingTimeInterval(10)
            let second = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "NEW@example.com", role: .admin, invitedBy: owner, secretDigest: "i2", now: later)
            let third = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "else@example.com", role: .agent, invitedBy: owner, secretDigest: "i3", now: later.addingTimeInterval(1))
            _ = try await store.createInvitation(
                tenantID: other.tenant.id, email: "new@example.com", role: .agent, invitedBy: owner, secretDigest: "i4", now: later)
            #expect(second.id != first.id)
            #expect(try await store.invitations(tenantID: acme.tenant.id, now: later) == [third, second])
            #expect(try await store.invitation(secretDigest: "i1", now: later) == nil)
            let pending = try #require(try await store.invitation(secretDigest: "i2", now: later))
            #expect(pending == PendingInvitation(invitation: second, tenant: acme.tenant, hasAccount: false))
            // The other tenant's invitation of the same address stays open.
            #expect(try await store.invitation(secretDigest: "i4", now: later) != nil)
            // Expired.
            let expiry = second.expiresAt
            #expect(try await store.invitation(secretDigest: "i2", now: expiry) == nil)
            #expect(try await store.invitations(tenantID: acme.tenant.id, now: expiry) == [third])

            #expect(try await store.revokeInvitation(tenantID: other.tenant.id, id: third.id, now: later) == false)
            #expect(try await store.revokeInvitation(tenantID: acme.tenant.id, id: third.id, now: later))
            #expect(try await store.revokeInvitation(tenantID: acme.tenant.id, id: third.id, now: later) == false)
            #expect(try await store.invitation(secretDigest: "i3", now: later) == nil)
            #expect(try await store.acceptInvitation(secretDigest: "i3", passwordHash: "hash", now: later) == nil)
            #expect(try await store.invitations(tenantID: acme.tenant.id, now: later) == [second])
        }
    }

    @Test("accepting makes the account when needed, the membership, and works once", arguments: Backend.allCases)
    func acceptInvitation(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let beta = try await ContractFixture.tenant(store, slug: "beta")
            let owner = try await Self.owner(store, acme)
            _ = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "New@Example.com", role: .admin, invitedBy: owner, secretDigest: "i1", now: contractDate)
            // A new address needs a password.
            #expect(try await store.acceptInvitation(secretDigest: "i1", passwordHash: nil, now: contractDate) == nil)
            #expect(try await store.invitation(secretDigest: "i1", now: contractDate) != nil)
            let password = "the new member's password"
            let userID = try #require(try await store.acceptInvitation(
                secretDigest: "i1", passwordHash: await Passwords.hash(password), now: contractDate))
            #expect(try await store.verifyLogin(email: "new@example.com", password: password) == userID)
            #expect(try await store.acceptInvitation(secretDigest: "i1", passwordHash: "hash", now: contractDate) == nil)
            #expect(try await store.invitation(secretDigest: "i1", now: contractDate) == nil)
            #expect(try await store.invitations(tenantID: acme.tenant.id, now: contractDate) == [])
            #expect(try await store.memberships(userID: userID) == [TenantMembership(tenant: acme.tenant, role: .admin)])

            // An existing account joins as it is, without a password, in any case of its address.
            _ = try await store.createInvitation(
                tenantID: beta.tenant.id, email: "NEW@example.COM", role: .agent, invitedBy: owner, secretDigest: "i2", now: contractDate)
            #expect(try await store.invitation(secretDigest: "i2", now: contractDate)?.hasAccount == true)
            #expect(try await store.acceptInvitation(secretDigest: "i2", passwordHash: nil, now: contractDate) == userID)
            #expect(try await store.verifyLogin(email: "new@example.com", password: password) == userID)

            // Already a member: the role stays.
            _ = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "new@example.com", role: .agent, invitedBy: owner, secretDigest: "i3", now: contractDate)
            #expect(try await store.acceptInvitation(secretDigest: "i3", passwordHash: nil, now: contractDate) == userID)
            #expect(try await store.memberships(userID: userID) == [
                TenantMembership(tenant: acme.tenant, role: .admin), TenantMembership(tenant: beta.tenant, role: .agent),
            ])
        }
    }

    @Test("concurrent uses of one invitation link accept it once", arguments: Backend.allCases)
    func acceptOnce(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            _ = try await store.createInvitation(
                tenantID: acme.tenant.id, email: "new@example.com", role: .agent, invitedBy: owner, secretDigest: "i1", now: contractDate)
            let accepted = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.acceptInvitation(secretDigest: "i1", passwordHash: "hash", now: contractDate) }
                }
                return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
            }
            #expect(accepted.count == 1)
            #expect(try await store.teamMembers(tenantID: acme.tenant.id).count == 2)
        }
    }

    @Test("concurrent invitations of one address leave exactly one open", arguments: Backend.allCases)
    func inviteConcurrently(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        _ = try await store.createInvitation(
                            tenantID: acme.tenant.id, email: index.isMultiple(of: 2) ? "new@example.com" : "NEW@example.com", role: .agent,
                            invitedBy: owner, secretDigest: "i\(index)", now: contractDate)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.invitations(tenantID: acme.tenant.id, now: contractDate).count == 1)
        }
    }

    @Test("team members list by address; roles change and members go, never the last owner", arguments: Backend.allCases)
    func team(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            let zed = try await Self.member(store, tenantID: acme.tenant.id, email: "Zed@example.com", role: .agent, invitedBy: owner)
            let amy = try await Self.member(store, tenantID: acme.tenant.id, email: "amy@example.com", role: .admin, invitedBy: owner)
            #expect(try await store.teamMembers(tenantID: acme.tenant.id) == [
                TeamMember(userID: amy, email: "amy@example.com", role: .admin, joinedAt: contractDate),
                TeamMember(userID: owner, email: "owner@acme.example", role: .owner, joinedAt: contractDate),
                TeamMember(userID: zed, email: "Zed@example.com", role: .agent, joinedAt: contractDate),
            ])

            await #expect(throws: AccountError.lastOwner) { _ = try await store.setRole(tenantID: acme.tenant.id, userID: owner, role: .admin) }
            await #expect(throws: AccountError.lastOwner) { _ = try await store.removeMember(tenantID: acme.tenant.id, userID: owner) }
            #expect(try await store.setRole(tenantID: acme.tenant.id, userID: owner, role: .owner))
            #expect(try await store.setRole(tenantID: acme.tenant.id, userID: 999_999, role: .agent) == false)
            #expect(try await store.setRole(tenantID: acme.tenant.id, userID: amy, role: .owner))
            #expect(try await store.setRole(tenantID: acme.tenant.id, userID: owner, role: .agent))
            await #expect(throws: AccountError.lastOwner) { _ = try await store.setRole(tenantID: acme.tenant.id, userID: amy, role: .agent) }

            let zedSession = try #require(try await store.createSession(
                userID: zed, tenantID: acme.tenant.id, secretDigest: "zed", csrfToken: Self.csrf, address: nil, userAgent: nil, now: contractDate))
            #expect(try await store.removeMember(tenantID: acme.tenant.id, userID: zed))
            #expect(try await store.removeMember(tenantID: acme.tenant.id, userID: zed) == false)
            #expect(try await store.session(secretDigest: "zed", lifetime: Self.lifetime, now: contractDate) == nil)
            #expect(try await store.endSession(userID: zed, sessionID: zedSession.id, now: contractDate) == false)
            #expect(try await store.teamMembers(tenantID: acme.tenant.id).map(\.userID) == [amy, owner])
            #expect(try await store.memberships(userID: zed) == [])
        }
    }

    @Test("two owners demoting each other at once leave one owner", arguments: Backend.allCases)
    func lastOwnerConcurrently(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let owner = try await Self.owner(store, acme)
            let second = try await Self.member(store, tenantID: acme.tenant.id, email: "second@example.com", role: .owner, invitedBy: owner)
            for _ in 0..<5 {
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for user in [owner, second] {
                        group.addTask { (try? await store.setRole(tenantID: acme.tenant.id, userID: user, role: .admin)) == true }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                let owners = try await store.teamMembers(tenantID: acme.tenant.id).filter { $0.role == .owner }
                #expect(owners.count == 1)
                for user in [owner, second] { _ = try await store.setRole(tenantID: acme.tenant.id, userID: user, role: .owner) }
            }
        }
    }

    @Test("deleting a tenant's data takes its shipments and inbound events and leaves the team and other tenants", arguments: Backend.allCases)
    func deleteTenantData(_ backend: Backend) async throws {
        try await backend.withStore(as: (any TenantStore & AccountStore & APIKeyStore & ShipmentStore & IngestStore).self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let other = try await ContractFixture.tenant(store, slug: "other")
            for tenant in [acme, other] {
                _ = try await store.ingest(
                    tenantID: tenant.tenant.id, provider: "aftership", eventID: "e1", body: Array("{}".utf8), updates: [], now: contractDate)
            }
            for number in ["1Z0001", "1Z0002"] {
                _ = try await store.createShipment(tenantID: acme.tenant.id, NewShipment(trackingNumber: number, carrier: "ups"), now: contractDate)
            }
            let kept = try await store.createShipment(tenantID: other.tenant.id, NewShipment(trackingNumber: "1Z0001", carrier: "ups"), now: contractDate)
            #expect(try await store.deleteTenantData(tenantID: acme.tenant.id) == 2)
            #expect(try await store.shipmentCount(tenantID: acme.tenant.id) == 0)
            #expect(try await store.shipmentCount(tenantID: other.tenant.id) == 1)
            #expect(try await store.shipment(tenantID: other.tenant.id, id: kept.id) != nil)
            #expect(try await store.teamMembers(tenantID: acme.tenant.id).count == 1)
            #expect(try await store.apiKeys(tenantID: acme.tenant.id).count == 1)
            #expect(try await store.inboundEvents(tenantID: acme.tenant.id, since: .distantPast, provider: nil, id: nil) == [])
            #expect(try await store.inboundEvents(tenantID: other.tenant.id, since: .distantPast, provider: nil, id: nil).count == 1)
            #expect(try await store.deleteTenantData(tenantID: acme.tenant.id) == 0)
        }
    }

    // MARK: Audit log

    @Test("audit entries are kept trimmed and page newest first, per tenant", arguments: Backend.allCases)
    func audit(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let other = try await ContractFixture.tenant(store, slug: "other")
            for index in 0..<5 {
                try await store.recordAudit(
                    AuditEvent(tenantID: acme.tenant.id, actor: "owner@acme.example", action: "did \(index)", subject: "shp_\(index)", address: "192.0.2.\(index)"),
                    now: contractDate.addingTimeInterval(Double(index)))
            }
            try await store.recordAudit(AuditEvent(
                tenantID: other.tenant.id, actor: String(repeating: "a", count: 300), action: String(repeating: "b", count: 1_200),
                subject: String(repeating: "c", count: 300)), now: contractDate)

            let firstPage = try await store.auditEntries(tenantID: acme.tenant.id, before: nil, limit: 2)
            #expect(firstPage.map(\.action) == ["did 4", "did 3"])
            #expect(firstPage.first?.subject == "shp_4" && firstPage.first?.address == "192.0.2.4")
            #expect(firstPage.first?.createdAt == contractDate.addingTimeInterval(4) && firstPage.first?.actor == "owner@acme.example")
            let secondPage = try await store.auditEntries(tenantID: acme.tenant.id, before: firstPage.last?.id, limit: 2)
            #expect(secondPage.map(\.action) == ["did 2", "did 1"])
            let lastPage = try await store.auditEntries(tenantID: acme.tenant.id, before: secondPage.last?.id, limit: 2)
            #expect(lastPage.map(\.action) == ["did 0"])
            #expect(try await store.auditEntries(tenantID: acme.tenant.id, before: lastPage.last?.id, limit: 2) == [])

            let trimmed = try #require(try await store.auditEntries(tenantID: other.tenant.id, before: nil, limit: 10).first)
            #expect(trimmed.actor.count == 200 && trimmed.action.count == 1_000 && trimmed.subject?.count == 200 && trimmed.address == nil)
        }
    }

    // MARK: API keys

    @Test("a new key authenticates with its scope, lists newest first, and stops at once when revoked", arguments: Backend.allCases)
    func apiKeys(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let other = try await ContractFixture.tenant(store, slug: "other")
            let later = contractDate.addingTimeInterval(60)
            let (key, secret) = try await store.createAPIKey(tenantID: acme.tenant.id, name: "Reports", scope: .readOnly, now: later)
            #expect(key.name == "Reports" && key.scope == .readOnly && key.createdAt == later && key.lastUsedAt == nil && key.revokedAt == nil)
            #expect(secret.hasPrefix(key.prefix))
            let identity = try #require(try await store.authenticate(apiKey: secret))
            #expect(identity.keyID == key.id && identity.tenantID == acme.tenant.id && identity.scope == .readOnly)

            let keys = try await store.apiKeys(tenantID: acme.tenant.id)
            #expect(keys.count == 2 && keys.first == key && keys.last?.name == "Default key")
            #expect(try await store.apiKeys(tenantID: other.tenant.id).map(\.name) == ["Default key"])

            #expect(try await store.revokeAPIKey(tenantID: other.tenant.id, id: key.id, now: later) == false)
            #expect(try await store.revokeAPIKey(tenantID: acme.tenant.id, id: key.id, now: later))
            #expect(try await store.revokeAPIKey(tenantID: acme.tenant.id, id: key.id, now: later) == false)
            #expect(try await store.authenticate(apiKey: secret) == nil)
            #expect(try await store.apiKeys(tenantID: acme.tenant.id).first?.revokedAt == later)
        }
    }

    @Test("key use is noted, never moving back in time", arguments: Backend.allCases)
    func apiKeyUse(_ backend: Backend) async throws {
        try await backend.withStore(as: Store.self) { store in
            let acme = try await ContractFixture.tenant(store, slug: "acme")
            let (key, _) = try await store.createAPIKey(tenantID: acme.tenant.id, name: "Second", scope: .readWrite, now: contractDate)
            let first = try #require(try await store.apiKeys(tenantID: acme.tenant.id).last)
            try await store.recordAPIKeyUse([:])
            try await store.recordAPIKeyUse([key.id: contractDate.addingTimeInterval(100), first.id: contractDate.addingTimeInterval(5)])
            try await store.recordAPIKeyUse([key.id: contractDate.addingTimeInterval(50), 999_999: contractDate])
            let keys = try await store.apiKeys(tenantID: acme.tenant.id)
            #expect(keys.map(\.lastUsedAt) == [contractDate.addingTimeInterval(100), contractDate.addingTimeInterval(5)])
            try await store.recordAPIKeyUse([key.id: contractDate.addingTimeInterval(200)])
            #expect(try await store.apiKeys(tenantID: acme.tenant.id).first?.lastUsedAt == contractDate.addingTimeInterval(200))
        }
    }
}
