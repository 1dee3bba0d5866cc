import Foundation
import HTTPTypes
import Hummingbird
import WaymarkCore

/// The team (owners only): invitations by emailed link, roles, removal; and deleting the
/// tenant's shipment data.
struct AdminTeamController {
    let site: AdminSite
    let mailer: AccountMailer

    func addRoutes(to router: RouterGroup<WaymarkRequestContext>) {
        router.on(.adminTeam, .get, mountedAt: .admin, use: team)
        router.on(.adminTeamInvite, .post, mountedAt: .admin, use: invite)
        router.on(.adminTeamInvitationRevoke, .post, mountedAt: .admin, use: revokeInvitation)
        router.on(.adminTeamMemberRole, .post, mountedAt: .admin, use: setRole)
        router.on(.adminTeamMemberRemove, .post, mountedAt: .admin, use: remove)
        router.on(.adminData, .get, mountedAt: .admin, use: dataPage)
        router.on(.adminData, .post, mountedAt: .admin, use: deleteData)
    }

    struct RoleOption: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Member: Encodable {
        let userID: Int64
        let email: String
        let role: String
        let roles: [RoleOption]
        let roleURL: String
        let removeURL: String
        let isYou: Bool
        let joined: String
    }

    struct Pending: Encodable {
        let email: String
        let role: String
        let expires: String
        let revokeURL: String
    }

    struct Page: Encodable {
        let members: [Member]
        let invitations: [Pending]
        let hasInvitations: Bool
        let roles: [RoleOption]
        let inviteURL = SiteRoute.adminTeamInvite.path()
        let dataURL = SiteRoute.adminData.path()
        let error: String?
        /// The link of an invitation just made, shown once to pass on by hand if the email does not arrive.
        let invitationLink: String?
    }

    func roleOptions(_ context: WaymarkRequestContext, selected: MemberRole?) -> [RoleOption] {
        [MemberRole.agent, .admin, .owner].map { RoleOption(value: $0.rawValue, label: site.text("role_\($0.rawValue)", context), selected: $0 == selected) }
    }

    func page(_ request: Request, context: WaymarkRequestContext, status: HTTPResponse.Status = .ok, error: String? = nil, link: String? = nil, notice: String? = nil) async throws -> Response {
        let session = try site.session(context)
        let members = try await site.database.teamMembers(tenantID: session.tenant.id)
        let invitations = try await site.database.invitations(tenantID: session.tenant.id, now: site.now())
        let page = Page(
            members: members.map { member in
                Member(
                    userID: member.userID, email: member.email, role: site.text("role_\(member.role.rawValue)", context), roles: roleOptions(context, selected: member.role),
                    roleURL: SiteRoute.adminTeamMemberRole.path(String(member.userID)), removeURL: SiteRoute.adminTeamMemberRemove.path(String(member.userID)),
                    isYou: member.userID == session.userID, joined: AdminDate.format(member.joinedAt))
            },
            invitations: invitations.map { invitation in
                Pending(
                    email: invitation.email, role: site.text("role_\(invitation.role.rawValue)", context), expires: AdminDate.format(invitation.expiresAt),
                    revokeURL: SiteRoute.adminTeamInvitationRevoke.path(String(invitation.id)))
            },
            hasInvitations: !invitations.isEmpty, roles: roleOptions(context, selected: .agent), error: error, invitationLink: link)
        return try await site.render("admin/team", title: "team_title", page, context: context, request: request, status: status, notice: notice)
    }

    @Sendable func team(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        try await page(request, context: context)
    }

    @Sendable func invite(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let form = try site.form(context)
        guard let role = form["role"].flatMap(MemberRole.init(rawValue:)) else {
            return try await page(request, context: context, status: .unprocessableContent, error: site.text("invite_role_missing", context))
        }
        let email: EmailAddress
        do {
            email = try EmailAddress(form["email"] ?? "")
        } catch {
            return try await page(request, context: context, status: .unprocessableContent, error: site.text("invite_email_invalid", context))
        }
        let secret = AdminSecret.make()
        let invitation = try await site.database.createInvitation(
            tenantID: session.tenant.id, email: email.lookupKey, role: role, invitedBy: session.userID, secretDigest: AdminSecret.digest(secret), now: site.now())
        let link = site.links.baseURL + SiteRoute.adminInvitation.path(secret)
        await mailer.send(.invitation(link: link, tenant: session.tenant.name, role: site.text("role_\(role.rawValue)", context)), to: invitation.email, language: context.adminLanguage)
        try await site.audit(context, "invited \(invitation.email) as \(role.rawValue)", subject: "invitation \(invitation.id)")
        return try await page(request, context: context, link: link, notice: site.text("notice_invited", context, ["email": invitation.email]))
    }

    @Sendable func revokeInvitation(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let id = try AdminSite.numericID(context)
        guard try await site.database.revokeInvitation(tenantID: session.tenant.id, id: id, now: site.now()) else { throw HTTPError(.notFound) }
        try await site.audit(context, "revoked invitation", subject: "invitation \(id)")
        return AdminSite.seeOther(SiteRoute.adminTeam.path())
    }

    @Sendable func setRole(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let userID = try AdminSite.numericID(context)
        guard let role = try site.form(context)["role"].flatMap(MemberRole.init(rawValue:)) else {
            return try await page(request, context: context, status: .unprocessableContent, error: site.text("invite_role_missing", context))
        }
        do {
            guard try await site.database.setRole(tenantID: session.tenant.id, userID: userID, role: role) else { throw HTTPError(.notFound) }
        } catch AccountError.lastOwner {
            return try await page(request, context: context, status: .conflict, error: site.text("last_owner", context))
        }
        try await site.audit(context, "set role \(role.rawValue)", subject: "user #\(userID)")
        return AdminSite.seeOther(SiteRoute.adminTeam.path())
    }

    @Sendable func remove(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        let userID = try AdminSite.numericID(context)
        do {
            guard try await site.database.removeMember(tenantID: session.tenant.id, userID: userID) else { throw HTTPError(.notFound) }
        } catch AccountError.lastOwner {
            return try await page(request, context: context, status: .conflict, error: site.text("last_owner", context))
        }
        try await site.audit(context, "removed from the team", subject: "user #\(userID)")
        return AdminSite.seeOther(userID == session.userID ? SiteRoute.adminLogin.path() : SiteRoute.adminTeam.path())
    }

    struct DataPage: Encodable {
        let slug: String
        let action = SiteRoute.adminData.path()
        let error: String?
    }

    @Sendable func dataPage(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        return try await site.render("admin/data", title: "data_title", DataPage(slug: session.tenant.slug, error: nil), context: context, request: request)
    }

    /// Deletes every shipment of the tenant once the owner has typed the tenant's slug.
    @Sendable func deleteData(_ request: Request, context: WaymarkRequestContext) async throws -> Response {
        let session = try site.session(context)
        guard try site.form(context)["confirm"] == session.tenant.slug else {
            return try await site.render(
                "admin/data", title: "data_title", DataPage(slug: session.tenant.slug, error: site.text("data_confirm_wrong", context, ["slug": session.tenant.slug])),
                context: context, request: request, status: .unprocessableContent)
        }
        let deleted = try await site.database.deleteTenantData(tenantID: session.tenant.id)
        try await site.audit(context, "deleted all shipment data (\(deleted) shipments)")
        return try await site.render(
            "admin/data", title: "data_title", DataPage(slug: session.tenant.slug, error: nil), context: context, request: request,
            notice: site.text("notice_data_deleted", context, ["count": String(deleted)]))
    }
}
