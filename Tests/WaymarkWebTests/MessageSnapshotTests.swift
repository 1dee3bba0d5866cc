import Foundation
import Testing
import WaymarkCore
import WaymarkNotify
import WaymarkStore
@testable import WaymarkWeb

/// Every shopper message from the default templates, in English and German, compared with
/// Snapshots/ (see `Snapshot`): per trigger, the email's HTML (its `<title>` is the subject),
/// the email's subject and text part, and the SMS. The shipment is the one of `StatusScenario`
/// for the trigger's status (in transit for the triggers that are not a status), the delivery's
/// time is `Fixture.now`, and the tokens and base URL are those of `MessageFixture`.
@Suite struct MessageSnapshotTests {
    static let languages = ["en", "de"]

    static func claimed(_ name: String, language: String, channel: NotificationChannel) throws -> ClaimedDelivery {
        let scenario = StatusScenario(DeliveryStatus(rawValue: name) ?? .inTransit)
        return try MessageFixture.claimed(
            tracked: MessageFixture.tracked(locale: language, status: scenario.status, message: scenario.message, substatus: scenario.substatus),
            triggerKey: MessageFixture.triggerKey(for: name), channel: channel)
    }

    @Test(arguments: TemplateMessageComposer.templateNames, languages)
    func email(name: String, language: String) async throws {
        let email = try await MessageFixture.composer().email(for: Self.claimed(name, language: language, channel: .email))
        try Snapshot.expect(email.html, matches: "email-\(name)-\(language).html")
        try Snapshot.expect("Subject: \(email.subject)\n\n\(email.text)", matches: "email-\(name)-\(language).txt")
    }

    @Test(arguments: TemplateMessageComposer.templateNames, languages)
    func sms(name: String, language: String) async throws {
        let text = try await MessageFixture.composer().sms(for: Self.claimed(name, language: language, channel: .sms))
        // With a final newline, so the file reads and diffs as a line of text.
        try Snapshot.expect(text + "\n", matches: "sms-\(name)-\(language).txt")
    }
}
