import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization
import WaymarkCore

/// Whether a PostgreSQL server answers, checked once a second on a connection of its own.
///
/// postgres-nio's pool keeps a query waiting while it retries connecting to a server that went
/// away, for up to a minute before it gives up. While the probe finds the server gone, the store
/// answers at once instead (`StoreError.storageUnavailable`: a 503 with `Retry-After`), and page
/// reads skip a dead replica for the primary; within a second of the server answering again,
/// the pool is used as before.
final class ServerHealth: Sendable {
    /// 0 until the first probe has answered, then 1 (answering) or 2 (gone).
    private let state = Atomic<UInt8>(0)
    private let task = Mutex<Task<Void, Never>?>(nil)
    let url: PostgresURL

    init(url: PostgresURL, logger: Logger) {
        self.url = url
        let probe = Task { [weak self] in
            var connection: PostgresConnection?
            var failures = 0
            while !Task.isCancelled {
                // Every step bounded: a server on its way down can accept a connection or a
                // query and then never answer it. A connection that failed once is dropped.
                let answered: Bool
                do {
                    let current: PostgresConnection
                    // One the server ended is not asked (postgres-nio may never answer on it).
                    if let connection, !connection.isClosed {
                        current = connection
                    } else {
                        current = try await Lease<PostgresConnection>.answer(within: .seconds(5)) { try await Self.connect(url, logger: logger) }
                        connection = current
                    }
                    answered = try await Lease<Bool>.answer(within: .seconds(5)) {
                        _ = try await current.query("SELECT 1", logger: logger)
                        return true
                    }
                } catch {
                    if let stale = connection { Task { try? await stale.close() } }
                    connection = nil
                    answered = false
                }
                guard !Task.isCancelled else { break }
                // Gone only when two probes in a row say so: one slow answer from a busy
                // machine is not an outage (a request that sees a connection ended says so at once).
                failures = answered ? 0 : failures + 1
                if answered || failures >= 2 { self?.set(answering: answered, logger: logger) }
                // A failure is confirmed (or not) sooner than the next routine probe.
                try? await Task.sleep(for: failures == 1 ? .milliseconds(250) : .seconds(1))
            }
            if let connection { try? await connection.close() }
        }
        task.withLock { $0 = probe }
    }

    /// False from the probe that found the server gone until the one that finds it back (true
    /// before the first probe has answered).
    var isAnswering: Bool { state.load(ordering: .relaxed) != 2 }

    /// Throws the storage fault a request should answer while the server is gone. The first
    /// requests wait for the first probe (up to 3 s), so a server that is not there at start
    /// fails them at once too.
    func check() async throws {
        var waited = 0
        while state.load(ordering: .relaxed) == 0 && waited < 300 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        guard isAnswering else { throw gone }
    }

    /// The fault a request answers while the server is gone.
    var gone: StoreError { .storageUnavailable("PostgreSQL at \(url.host):\(url.port) does not answer") }

    /// What a request just learned: an answer, or a connection the server ended. The probe
    /// confirms it within a second either way.
    func saw(answering: Bool) {
        guard isAnswering != answering else { return }
        state.store(answering ? 1 : 2, ordering: .relaxed)
    }

    func stop() async {
        guard let probe = task.withLock({ $0 }) else { return }
        probe.cancel()
        _ = await probe.value
    }

    private func set(answering now: Bool, logger: Logger) {
        let before = state.exchange(now ? 1 : 2, ordering: .relaxed)
        guard before != 0, (before == 1) != now else { return }
        if now {
            logger.notice("PostgreSQL answers again", metadata: ["server": "\(url.host):\(url.port)"])
        } else {
            logger.error("PostgreSQL does not answer; requests get 503 until it does", metadata: ["server": "\(url.host):\(url.port)"])
        }
    }

    /// A connection of its own, outside the pool, to the server `url` names. The probe reads no
    /// data, so it does not check the certificate (`checked` false); others connect as the URL's
    /// TLS mode says.
    static func connect(_ url: PostgresURL, logger: Logger, checked: Bool = false) async throws -> PostgresConnection {
        var configuration: PostgresConnection.Configuration
        if let directory = url.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)", username: url.user, password: url.password, database: url.database)
        } else {
            var unchecked = TLSConfiguration.makeClientConfiguration()
            unchecked.certificateVerification = .none
            let tls: PostgresConnection.Configuration.TLS
            switch url.tls {
            case .disable: tls = .disable
            case .verifyFull where checked: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require where checked: tls = .require(try NIOSSLContext(configuration: unchecked))
            default: tls = .prefer(try NIOSSLContext(configuration: unchecked))
            }
            configuration = .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
            if checked, url.tls == .verifyFull { configuration.options.tlsServerName = url.host }
        }
        configuration.options.connectTimeout = .seconds(2)
        return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
    }
}
