import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WaymarkCore
import WaymarkProviders
import WaymarkStore
@testable import WaymarkWeb

/// `serve --demo`'s merchant: an owner and an agent who can sign in, and a dashboard with
/// something on it.
@Suite struct AdminDemoTests {
    @Test func theDemoSeedsAnAgentAndPageViewsForTheDashboard() async throws {
        let database = try AppDatabase.temporary()
        let seeded = try await DemoMerchant.seedIfMissing(database, now: Fixture.now)
        let agentPassword = try #require(seeded.agentPassword)
        let agent = try #require(try await database.verifyLogin(email: DemoMerchant.agentEmail, password: agentPassword))
        #expect(try await database.memberships(userID: agent).map(\.role) == [.agent])
        let figures = try await database.dashboard(tenantID: seeded.tenant.id, now: Fixture.now)
        #expect(figures.pageViews.filter { $0.views > 0 }.count == 21)
        #expect(figures.viewed > 0 && figures.viewedFromMessage > 0)
        let again = try await DemoMerchant.seedIfMissing(database, now: Fixture.now)
        #expect(again.agentPassword == nil, "a second start keeps the accounts")
    }

    /// The logo's text is held to a length that fits its viewBox, whatever font draws it.
    @Test func theDemoLogoFitsItsText() throws {
        let svg = try String(contentsOf: packageRoot.appendingPathComponent("Public/demo/acme-logo.svg"), encoding: .utf8)
        func number(after marker: String) throws -> Double {
            let range = try #require(svg.range(of: marker))
            return try #require(Double(svg[range.upperBound...].prefix { $0.isNumber || $0 == "." }))
        }
        let width = try #require(svg.range(of: "viewBox=\"0 0 ").flatMap { Double(svg[$0.upperBound...].prefix { $0.isNumber }) })
        #expect(svg.contains("lengthAdjust=\"spacingAndGlyphs\""))
        #expect(try number(after: "<text x=\"") + number(after: "textLength=\"") <= width)
    }
}
