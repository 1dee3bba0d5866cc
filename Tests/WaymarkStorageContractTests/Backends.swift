import Foundation
import Testing
import WaymarkCore
import WaymarkStore

/// The two implementations of the storage protocols. Every contract test runs once for each.
///
/// PostgreSQL comes from `WAYMARK_TEST_POSTGRES`, a URL of a server where the tests may create
/// and drop databases (`scripts/test` starts one with `scripts/postgres` when it can). Each test
/// gets a database of its own, dropped afterwards. Without the variable a PostgreSQL case is
/// skipped with a reason, except in CI (`CI=true`), where it fails: CI must test both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, migrated, empty store of this kind, as `S` (the protocols the
    /// test speaks to, such as `(any TenantStore & ShipmentStore).self`). A store that does not
    /// implement them all fails the test, naming what is missing.
    func withStore<S, T: Sendable>(as type: S.Type, _ body: (S) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            return try await body(try Self.typed(AppDatabase.temporary(), as: S.self))
        case .postgres:
            let server = try Self.postgresServer()
            return try await TestDatabase.withFresh(on: server) { url in
                let store = PostgresStore(url: url, connections: 4)
                do {
                    try await store.migrate()
                    let result = try await body(try Self.typed(store, as: S.self))
                    await store.close()
                    return result
                } catch {
                    await store.close()
                    throw error
                }
            }
        }
    }

    private static func typed<S>(_ store: Any, as type: S.Type) throws -> S {
        guard let typed = store as? S else {
            throw ContractError("\(Swift.type(of: store)) does not implement \(S.self)")
        }
        return typed
    }

    /// The server named by `WAYMARK_TEST_POSTGRES`; cancels the test (skips it, with the reason)
    /// when there is none, and fails it in CI.
    static func postgresServer() throws -> PostgresURL {
        guard let text = ProcessInfo.processInfo.environment["WAYMARK_TEST_POSTGRES"], !text.isEmpty else {
            let reason = "PostgreSQL tests need WAYMARK_TEST_POSTGRES (scripts/postgres start prints one); skipped"
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("CI must run the PostgreSQL tests: \(reason)")
            }
            try Test.cancel(Comment(rawValue: reason))
        }
        return try PostgresURL(text)
    }
}

/// Databases made for one test on the test server and dropped after it.
enum TestDatabase {
    static func withFresh<T: Sendable>(on server: PostgresURL, _ body: (PostgresURL) async throws -> T) async throws -> T {
        let name = "waymark_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresStore(url: server, connections: 1)
        try await admin.execute(unsafeSQL: "CREATE DATABASE \(name)")
        do {
            let result = try await body(server.database(String(name)))
            try await admin.execute(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)")
            await admin.close()
            return result
        } catch {
            _ = try? await admin.execute(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)")
            await admin.close()
            throw error
        }
    }
}

struct ContractError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fixed instant (2025-06-15 12:00:00 UTC), whole seconds so both backends keep it exactly.
let contractDate = Date(timeIntervalSince1970: 1_749_988_800)

enum ContractFixture {
    static let password = "correct horse battery staple"

    static func tenant(_ store: some TenantStore, slug: String, ownerEmail: String? = nil) async throws -> CreatedTenant {
        try await store.createTenant(NewTenant(
            slug: TenantSlug(slug), name: "Shop \(slug)",
            ownerEmail: EmailAddress(ownerEmail ?? "owner@\(slug).example"), ownerPassword: password), now: contractDate)
    }
}
