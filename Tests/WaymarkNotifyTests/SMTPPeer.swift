import Foundation

/// A real aiosmtpd server (Peers/smtp_peer.py) on 127.0.0.1 with a free port, for one test.
final class SMTPPeer {
    /// Whether python3 with aiosmtpd is here; says so loudly when not, since the tests that need
    /// it are then skipped.
    static let isAvailable: Bool = {
        let available = (try? run(["python3", "-c", "import aiosmtpd"])) == 0
        if !available {
            FileHandle.standardError.write(Data(
                "⚠️  WaymarkNotifyTests: python3 with aiosmtpd is missing (pip install aiosmtpd): SMTP peer tests are SKIPPED\n".utf8
            ))
        }
        return available
    }()

    static let opensslAvailable: Bool = (try? run(["openssl", "version"])) == 0

    struct Received: Decodable {
        let mail_from: String
        let rcpt_tos: [String]
        let raw: String
        let subject: String
        let from: String
        let to: String
        let header_names: [String]
        let bcc: [String]
        let text: String?
        let html: String?
        let defects: [String]
        let tls: Bool
        let authenticated: Bool
        let extended: Bool

        var rawBytes: [UInt8] { Array(Data(base64Encoded: raw) ?? Data()) }
    }

    static let user = "waymark"
    static let password = "s3cr:t p@ss/%"

    let directory: URL
    let port: Int
    private let process: Process

    init(_ arguments: [String] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        (process, port) = try await PeerProcess.start(
            script: "smtp_peer.py", directory: directory,
            arguments: ["--received", directory.appendingPathComponent("received.jsonl").path] + arguments)
    }

    enum PeerError: Error { case certificate }

    func received() throws -> [Received] {
        let url = directory.appendingPathComponent("received.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    /// SIGKILL, not SIGTERM: the test process may hand its children a mask that blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A self-signed certificate for CN=localhost (and IP 127.0.0.1) in `directory`.
    static func makeCertificate(in directory: URL) throws -> (cert: String, key: String) {
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let status = try run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                              "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                              "-days", "1", "-keyout", key, "-out", cert])
        guard status == 0 else { throw PeerError.certificate }
        return (cert, key)
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A Python peer of `Peers/` started for one test: it is told where to write the port it
/// listens on once ready, and this waits for that file (up to ten seconds).
enum PeerProcess {
    struct DidNotStart: Error {}

    static func start(script: String, directory: URL, arguments: [String]) async throws -> (Process, Int) {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/\(script)").path
        let portFile = directory.appendingPathComponent("port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-W", "ignore", path, "--port-file", portFile.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw DidNotStart()
    }
}
