import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// `/admin/settings/notifications`: the rules matrix, the sender, quiet hours and sign-ups,
/// checked, stored, audited and in force on the shopper's page.
@Suite struct AdminNotificationSettingsTests {
    static let path = "/admin/settings/notifications"

    /// The form as the page fills it, with `changes` applied.
    static func form(_ changes: [String: String?] = [:]) -> [(String, String)] {
        var fields: [String: String] = [
            "email_in_transit": "on", "email_out_for_delivery": "on", "email_attempt_fail": "on", "email_available_for_pickup": "on",
            "email_delivered": "on", "email_exception": "on", "sms_out_for_delivery": "on", "sms_delivered": "on",
            "email_stalled": "on", "stalled_after_days": "3", "subscribe_contacts": "on", "self_subscription": "on",
        ]
        for (name, value) in changes { fields[name] = value }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    @Test func anOwnerChangesTheRulesAndTheyAreStoredAuditedAndInForce() async throws {
        let fixture = try await AdminFixture.make()
        let tenantID = fixture.base.acme.tenant.id
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let shown = try await owner.get(Self.path)
            #expect(shown.status == .ok)
            #expect(shown.text.contains("name=\"email_delivered\" aria-label=\"Email: Delivered\" checked"))
            #expect(try await owner.get(fixture.base.acmeTrackingPath).text.contains("subscribe-form"))

            let saved = try await owner.post(Self.path, Self.form([
                "email_delivered": nil, "sms_exception": "on", "stalled_after_days": "5", "sender_name": "Acme Support",
                "reply_to": "help@acme.test", "quiet_hours": "on", "quiet_start": "22", "quiet_end": "7", "self_subscription": nil,
            ]))
            #expect(saved.status == .seeOther)
            let settings = try await fixture.database.notificationSettings(tenantID: tenantID)
            #expect(settings.rules.emailStatuses == [.inTransit, .outForDelivery, .attemptFail, .availableForPickup, .exception])
            #expect(settings.rules.smsStatuses == [.outForDelivery, .delivered, .exception])
            #expect(settings.rules.stalledAfterDays == 5)
            #expect(settings.senderName == "Acme Support" && settings.replyTo == "help@acme.test")
            #expect((settings.quietHoursStart, settings.quietHoursEnd) == (22, 7))
            #expect(!settings.selfSubscription && settings.subscribeContacts)

            let audit = try await owner.get("/admin/audit").text
            #expect(audit.contains("changed notification settings: email on -delivered; SMS on +exception; sign-up on the page off; stalled after 5 days; sender name Acme Support; reply-to help@acme.test; quiet hours 22-7"))
            // The page no longer offers the form, and a stale copy of it cannot post.
            #expect(!(try await owner.get(fixture.base.acmeTrackingPath).text.contains("subscribe-form")))
            let stale = try await client.execute(
                uri: fixture.base.acmeTrackingPath + "/subscribe", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "email=jane%40example.com")) { $0 }
            #expect(stale.status == .forbidden)
        }
    }

    @Test func badValuesAreNamedAndChangeNothing() async throws {
        let fixture = try await AdminFixture.make()
        let before = try await fixture.database.notificationSettings(tenantID: fixture.base.acme.tenant.id)
        try await fixture.app().test(.router) { client in
            var owner = AdminBrowser(client)
            try await owner.signIn("owner@acme.test")
            let refused = try await owner.post(Self.path, Self.form([
                "stalled_after_days": "0", "reply_to": "not an address", "quiet_hours": "on", "quiet_start": "8", "quiet_end": "8", "email_delivered": nil,
            ]))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Stalled after must be a number of days from 1 to 60."))
            #expect(refused.text.contains("Reply-to address: "))
            #expect(refused.text.contains("Quiet hours need a start and an end hour that differ."))
            #expect(try await fixture.database.notificationSettings(tenantID: fixture.base.acme.tenant.id) == before)
            #expect(try await owner.post(Self.path, Self.form(), withCSRF: false).status == .forbidden)
        }
    }

    @Test func agentsGetForbidden() async throws {
        let fixture = try await AdminFixture.make()
        try await fixture.addMember("agent@acme.test", role: .agent, tenant: fixture.base.acme)
        try await fixture.app().test(.router) { client in
            var agent = AdminBrowser(client)
            try await agent.signIn("agent@acme.test")
            #expect(try await agent.get(Self.path).status == .forbidden)
            #expect(try await agent.post(Self.path, Self.form(["email_delivered": nil])).status == .forbidden)
        }
    }
}
