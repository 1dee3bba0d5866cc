import Foundation
import Testing
import WaymarkCore
import WaymarkStore
@testable import WaymarkWeb

/// The tracking page rendered from a fixed model, no database or server, compared with the
/// committed HTML under Snapshots/ (see `Snapshot` for recording).
@Suite struct TrackingPageSnapshotTests {
    static let tenant = Tenant(
        id: 1, slug: "acme", name: "Acme Outfitters",
        branding: Branding(primaryColor: HexColor("#7c2d12")!, logoURL: "https://cdn.acme.test/logo.png", supportEmail: "help@acme.test"),
        createdAt: Fixture.now)

    static let tracked: TrackedShipment = {
        let shipment = Shipment(
            id: "shp_snapshot", tenantID: 1, trackingNumber: "00340434161094042557", carrier: "dhl", orderNumber: "ACME-2001",
            destination: Destination(city: "Berlin", postalCode: "10115", country: "DE"), status: .delivered,
            substatus: Substatus(status: .delivered, reason: "left_with_neighbor"),
            deliveredAt: Fixture.now.addingTimeInterval(-7_200), lastEventAt: Fixture.now.addingTimeInterval(-7_200),
            token: "SNAPSHOTTOKENSNAPSHOTTOK", createdAt: Fixture.now, updatedAt: Fixture.now)
        let events: [CheckpointEvent] = [
            .init(occurredAt: Fixture.now.addingTimeInterval(-7_200), utcOffsetSeconds: 3_600, status: .delivered,
                  substatus: Substatus(status: .delivered, reason: "left_with_neighbor"), message: "Delivered to neighbour",
                  location: Place(city: "Berlin", country: "DE"), source: "test"),
            .init(occurredAt: Fixture.now.addingTimeInterval(-30_000), utcOffsetSeconds: 3_600, status: .outForDelivery,
                  message: "With delivery courier", location: Place(city: "Berlin", country: "DE"), source: "test"),
            .init(occurredAt: Fixture.now.addingTimeInterval(-200_000), utcOffsetSeconds: 28_800, status: .inTransit,
                  substatus: Substatus(status: .inTransit, reason: "departed"), message: "Departed facility",
                  location: Place(city: "Hong Kong", country: "HK"), source: "test"),
        ]
        return TrackedShipment(
            shipment: shipment,
            checkpoints: events.enumerated().map { Checkpoint(id: Int64($0.offset), shipmentID: "shp_snapshot", event: $0.element, recordedAt: Fixture.now) })
    }()

    static func render(_ tracked: TrackedShipment, language: String) async throws -> String {
        let root = packageRoot.path
        let renderer = try await PageRenderer(viewsPath: "\(root)/Views")
        let catalog = try Catalog(directory: "\(root)/Locales")
        let page = TrackingPageView.make(
            tenant: Self.tenant, tracked: tracked, language: language, catalog: catalog, prefix: "/acme", showOrder: true, now: Fixture.now)
        return try renderer.html("shopper/tracking", page)
    }

    /// A delivered parcel that came from abroad: three checkpoints in two time zones.
    @Test(arguments: ["en", "de"])
    func trackingPage(language: String) async throws {
        try Snapshot.expect(try await Self.render(Self.tracked, language: language), matches: "tracking-\(language).html")
    }

    @Test(arguments: DeliveryStatus.allCases, ["en", "de"])
    func trackingPageInEachStatus(status: DeliveryStatus, language: String) async throws {
        let html = try await Self.render(StatusScenario(status).tracked(), language: language)
        try Snapshot.expect(html, matches: "tracking-\(status.rawValue)-\(language).html")
    }

    @Test func trackingPageInJapanese() async throws {
        let html = try await Self.render(StatusScenario(.inTransit).tracked(), language: "ja")
        try Snapshot.expect(html, matches: "tracking-in_transit-ja.html")
    }
}

@Suite struct CatalogTests {
    @Test func everyLanguageTranslatesEveryStringWithTheSamePlaceholders() throws {
        let directory = packageRoot.appendingPathComponent("Locales")
        func load(_ language: String) throws -> [String: String] {
            try JSONDecoder().decode([String: String].self, from: Data(contentsOf: directory.appendingPathComponent("\(language).json")))
        }
        let english = try load("en")
        func placeholders(_ text: String) -> [String] {
            text.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { $0.split(separator: "}").first.map(String.init) }.sorted()
        }
        // The admin's strings (`admin.*`) are translated into the admin's languages only.
        for language in ShopperLanguage.supported where language != "en" {
            let table = try load(language)
            let expected = Set(english.keys.filter { !$0.hasPrefix("admin.") || AdminLanguage.supported.contains(language) })
            #expect(Set(table.keys) == expected, "\(language) keys differ: \(expected.symmetricDifference(table.keys))")
            for (key, text) in english where expected.contains(key) {
                let translated = try #require(table[key], "\(language) misses \(key)")
                #expect(placeholders(translated) == placeholders(text), "\(language).\(key) placeholders")
                // A one-word admin label may well be the same word ("Dashboard", "Status").
                let oneWordLabel = key.hasPrefix("admin.") && !text.contains(" ")
                if key != "language_name" && text.count > 3 && !oneWordLabel {
                    #expect(translated != text, "\(language).\(key) is still English")
                }
            }
        }
    }
}
